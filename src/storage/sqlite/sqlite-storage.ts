// Storage backed by SQLite (better-sqlite3: synchronous calls behind the async interface): one
// file, and the message archive in a second one beside it (archive-database.ts).
import { createSqliteUploadRepository } from './uploads.js';
import { createSqliteMucRepository } from './muc.js';
import { createSqliteArchiveRepository } from './archive.js';
import { archiveFileFor, moveArchiveFromMain, openArchiveDatabase } from './archive-database.js';
import { createSqliteHeldRepository } from './held.js';
import type { Storage } from '../types.js';
import { openDatabase } from './database.js';
import { checkpointInBackground } from './background-checkpoints.js';
import { groupCommit } from './group-commit.js';
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
  /**
   * For the long-running server: WAL checkpoints run on a worker thread instead of inside commits
   * (background-checkpoints.ts); `onFailure` hears why that worker stopped.
   */
  backgroundCheckpoints?: { onFailure(err: unknown): void };
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
  const checkpoints = options.backgroundCheckpoints && checkpointInBackground([db, archiveDb], options.backgroundCheckpoints.onFailure);
  // Durable writes issued in one event-loop turn share one commit (group-commit.ts).
  const commits = groupCommit(db);
  return {
    users: commits.batchWrites(createSqliteUserRepository(db), ['create', 'setCredentials', 'delete']),
    kv: commits.batchWrites(createSqliteKeyValueRepository(db), ['set', 'delete', 'compareAndSet']),
    roster: commits.batchWrites(createSqliteRosterRepository(db), ['put', 'remove', 'addPendingIn', 'removePendingIn', 'deleteAccount']),
    offline: commits.batchWrites(createSqliteOfflineRepository(db), ['store', 'delete', 'deleteAccount']),
    held: commits.batchWrites(createSqliteHeldRepository(db), ['hold', 'delete']),
    pubsub: commits.batchWrites(createSqlitePubsubRepository(db), ['createNode', 'configureNode', 'deleteNode', 'publish', 'retract', 'purge', 'setAffiliation', 'subscribe', 'unsubscribe', 'deleteAccount']),
    fastTokens: commits.batchWrites(createSqliteFastTokenRepository(db), ['issue', 'promote', 'revoke']),
    archive,
    privateXml: commits.batchWrites(createSqlitePrivateXmlRepository(db), ['put', 'deleteAccount']),
    vcards: commits.batchWrites(createSqliteVCardRepository(db), ['put', 'deleteAccount']),
    invites: createSqliteInviteRepository(db),
    push: commits.batchWrites(createSqlitePushRepository(db), ['enable', 'disable', 'due', 'deleteAccount']),
    uploads: createSqliteUploadRepository(db),
    muc: createSqliteMucRepository(db),
    blocklists: commits.batchWrites(createSqliteBlocklistRepository(db), ['block', 'unblock', 'unblockAll']),
    abuseReports: createSqliteAbuseReportRepository(db),
    async close() {
      if (!db.open) return;
      archive.flush();
      commits.flush();
      await checkpoints?.stop();
      // Lets SQLite refresh query-planner statistics it found stale during this connection.
      for (const each of [archiveDb, db]) {
        each.pragma('optimize');
        each.close();
      }
    },
  };
}
