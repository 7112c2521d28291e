// Picks the storage backend from configuration.
import { join } from 'node:path';
import { createMemoryStorage } from './memory/memory-storage.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './types.js';

export type StorageOptions = { kind: 'sqlite'; dataDir: string } | { kind: 'memory' };

export const SQLITE_FILE_NAME = 'herald.sqlite';

export function openStorage(options: StorageOptions): Storage {
  switch (options.kind) {
    case 'sqlite':
      return openSqliteStorage({ file: join(options.dataDir, SQLITE_FILE_NAME) });
    case 'memory':
      return createMemoryStorage();
  }
}
