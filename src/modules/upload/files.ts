// Uploaded files on disk: <dataDir>/uploads/<slot id>, written as <id>.part and renamed when
// complete, so a GET never serves half a file; flushed to disk before the PUT is answered, so a
// file whose URL the client was told is stored survives a crash.
import fs from 'node:fs';
import path from 'node:path';

export interface UploadFiles {
  readonly dir: string;
  final(id: string): string;
  partial(id: string): string;
  /** Creates the folder before the first upload (not at start: a server that never stores a file makes none). */
  ensureDir(): Promise<void>;
  /** Renames a complete, flushed partial file into place and flushes the folder (the rename). */
  publish(id: string): Promise<void>;
  /** Deletes a file and any partial upload; a missing file is no error. */
  remove(id: string): Promise<void>;
}

export function createUploadFiles(dataDir: string): UploadFiles {
  const dir = path.join(dataDir, 'uploads');
  const final = (id: string) => path.join(dir, id);
  const partial = (id: string) => path.join(dir, `${id}.part`);
  return {
    dir,
    final,
    partial,
    async ensureDir() {
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    },
    async publish(id) {
      await fs.promises.rename(partial(id), final(id));
      const folder = await fs.promises.open(dir, 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    },
    async remove(id) {
      await fs.promises.rm(final(id), { force: true });
      await fs.promises.rm(partial(id), { force: true });
    },
  };
}
