// Storage backed by SQLite (better-sqlite3: synchronous calls behind the async interface): one
// file, and the message archive in a second one beside it (archive-database.ts).
// Storage backed by one SQLite file (better-sqlite3: synchronous calls behind the async interface).
import { createSqliteUploadRepository } from './uploads.js';
import { createSqliteMucRepository } from './muc.js';
import { createSqliteArchiveRepository } from './archive.js';
import { archiveFileFor, moveArchiveFromMain, openArchiveDatabase } from './archive-database.js';
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
import { createSqliteInviteRepository } from './invites.js';
import { createSqlitePushRepository } from './push.js';
import { createSqliteAbuseReportRepository, createSqliteBlocklistRepository } from './blocking.js';

export interface SqliteStorageOptions {
  /** Path of the database file; its folder is created if missing. */
  file: string;
}

export function openSqliteStorage(options: SqliteStorageOptions): Storage {
  const db = openDatabase(options.file);
  let archiveDb;
  try {
    archiveDb = openArchiveDatabase(archiveFileFor(options.file));
    moveArchiveFromMain(db, archiveDb);
  } catch (err) {
    archiveDb?.close();
    db.close();
    throw err;
  }
  const archive = createSqliteArchiveRepository(archiveDb);
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
    invites: createSqliteInviteRepository(db),
    push: createSqlitePushRepository(db),
    uploads: createSqliteUploadRepository(db),
    muc: createSqliteMucRepository(db),
    blocklists: createSqliteBlocklistRepository(db),
    abuseReports: createSqliteAbuseReportRepository(db),
    async close() {
      if (!db.open) return;
      archive.flush();
      // Lets SQLite refresh query-planner statistics it found stale during this connection.
      for (const each of [archiveDb, db]) {
        each.pragma('optimize');
        each.close();
      }
    },
  };
}
