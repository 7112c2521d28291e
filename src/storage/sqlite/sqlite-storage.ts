// Storage backed by one SQLite file (better-sqlite3: synchronous calls behind the async interface).
import { createSqliteArchiveRepository } from './archive.js';
import { createSqliteHeldRepository } from './held.js';
import type { Storage } from '../types.js';
import { openDatabase } from './database.js';
import { createSqliteKeyValueRepository } from './kv.js';
import { createSqliteOfflineRepository } from './offline.js';
import { createSqlitePubsubRepository } from './pubsub.js';
import { createSqliteRosterRepository } from './roster.js';
import { createSqliteUserRepository } from './users.js';
import { createSqliteFastTokenRepository } from './fast-tokens.js';
import { createSqlitePrivateXmlRepository } from './private-xml.js';
import { createSqliteVCardRepository } from './vcards.js';
import { createSqliteAbuseReportRepository, createSqliteBlocklistRepository } from './blocking.js';

export interface SqliteStorageOptions {
  /** Path of the database file; its folder is created if missing. */
  file: string;
}

export function openSqliteStorage(options: SqliteStorageOptions): Storage {
  const db = openDatabase(options.file);
  const archive = createSqliteArchiveRepository(db);
  return {
    users: createSqliteUserRepository(db),
    kv: createSqliteKeyValueRepository(db),
    roster: createSqliteRosterRepository(db),
    offline: createSqliteOfflineRepository(db),
    held: createSqliteHeldRepository(db),
    pubsub: createSqlitePubsubRepository(db),
    fastTokens: createSqliteFastTokenRepository(db),
    archive,
    privateXml: createSqlitePrivateXmlRepository(db),
    vcards: createSqliteVCardRepository(db),
    blocklists: createSqliteBlocklistRepository(db),
    abuseReports: createSqliteAbuseReportRepository(db),
    async close() {
      if (!db.open) return;
      archive.flush();
      // Lets SQLite refresh query-planner statistics it found stale during this connection.
      db.pragma('optimize');
      db.close();
    },
  };
}
