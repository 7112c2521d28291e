// The one place that picks the storage backend from configuration: `herald start`, `herald user …`
// and every other command that opens storage come through here.
import { join } from 'node:path';
import type { HeraldConfig } from '../config/types.js';
import { createMemoryStorage } from './memory/memory-storage.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './types.js';
import { maskedUrl } from '../util/masked-url.js';

export type StorageOptions = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string } | { kind: 'memory' };

export const SQLITE_FILE_NAME = 'herald.sqlite';

/** PostgreSQL when cluster.postgresUrl (or HERALD_POSTGRES_URL) is set, else SQLite in storage.dataDir. */
export function storageOptions(config: HeraldConfig): StorageOptions {
  const url = config.cluster?.postgresUrl;
  return url === undefined ? { kind: 'sqlite', dataDir: config.storage.dataDir } : { kind: 'postgres', url };
}

/** Where the data is, for people: the SQLite file, or the PostgreSQL URL with its password masked. */
export function describeStorage(options: StorageOptions): string {
  switch (options.kind) {
    case 'sqlite':
      return join(options.dataDir, SQLITE_FILE_NAME);
    case 'postgres':
      return `PostgreSQL ${maskedUrl(options.url)}`;
    case 'memory':
      return 'memory';
  }
}

/** What only the long-running server asks of storage (commands that open it briefly do not). */
export interface ServerStorageOptions {
  /** SQLite: checkpoints on a worker thread; this hears why it stopped. */
  onCheckpointFailure(err: unknown): void;
}

/** Opens the backend and brings its schema up to date; PostgreSQL's problems reject with one line. */
export async function openStorage(options: StorageOptions, server?: ServerStorageOptions): Promise<Storage> {
  switch (options.kind) {
    case 'sqlite':
      return openSqliteStorage({
        file: join(options.dataDir, SQLITE_FILE_NAME),
        ...(server && { backgroundCheckpoints: { onFailure: server.onCheckpointFailure } }),
      });
    case 'postgres': {
      // Loaded only when used: a single node on SQLite never pays for the PostgreSQL client.
      const { openPostgresStorage } = await import('./postgres/postgres-storage.js');
      return openPostgresStorage(options.url);
    }
    case 'memory':
      return createMemoryStorage();
  }
}
