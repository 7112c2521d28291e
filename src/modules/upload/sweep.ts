// Deletes expired uploads: the file first, then its record, so a crash in between leaves a
// record the next sweep retries rather than a file nobody knows about.
import type { UploadRepository } from '../../storage/types.js';
import type { Logger } from '../../util/logger.js';
import type { UploadFiles } from './files.js';

const BATCH = 100;

export async function sweepExpired(uploads: UploadRepository, files: UploadFiles, now: number, log: Logger): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await uploads.expired(now, BATCH);
    for (const slot of batch) {
      await files.remove(slot.id);
      await uploads.forget(slot.id);
      deleted += 1;
    }
    if (batch.length < BATCH) break;
  }
  if (deleted > 0) log.info({ deleted }, 'expired uploads deleted');
  return deleted;
}
