// The message archive lives in its own SQLite file beside the main one (herald.sqlite →
// herald-archive.sqlite), with its own WAL and migrations, because it is written far more than
// everything else together: its commits and checkpoints then never delay the offline store's,
// roster's or login's, and it can run with synchronous = NORMAL (a commit is written to the WAL
// without waiting for fsync; the WAL is synced at checkpoints). That can lose the last commits
// on power loss or an OS crash (not on a process crash) — acceptable for a copy of messages that
// were delivered or stored offline durably by then (docs/architecture.md, "message archive").
import { basename, dirname, join } from 'node:path';
import { openDatabase, type SqliteDatabase } from './database.js';
import type { MigrationStep } from './migrations.js';

/** The archive file that belongs to a main database file (':memory:' stays in memory). */
export function archiveFileFor(mainFile: string): string {
  if (mainFile === ':memory:' || mainFile === '') return mainFile;
  const name = basename(mainFile).replace(/\.sqlite$/, '');
  return join(dirname(mainFile), `${name}-archive.sqlite`);
}

// Step i brings the archive file to version i + 1; append, never edit a released step.
// Accounts are numbered once (archive_accounts, never deleted, so a number never changes
// meaning) and rows carry the number: the three indexes then hold an integer where they held a
// JID, which makes each row's index entries, and the pages each commit rewrites, smaller.
export const ARCHIVE_MIGRATIONS: readonly MigrationStep[] = [
  `
  CREATE TABLE archive_accounts (
    id  INTEGER PRIMARY KEY,
    jid TEXT    NOT NULL UNIQUE
  ) STRICT;
  CREATE TABLE archive (
    account    INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    with_bare  TEXT    NOT NULL,
    with_full  TEXT    NOT NULL,
    direction  TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    message_id TEXT,
    stanza     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (account, id)
  ) STRICT;
  CREATE UNIQUE INDEX archive_by_time ON archive (account, at);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);
  `,
];

export function openArchiveDatabase(file: string): SqliteDatabase {
  const db = openDatabase(file, ARCHIVE_MIGRATIONS);
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Moves archives kept in the main file (its `archive` table, before the archive had a file of
 * its own) into the archive file, once; both sides skip what is already there, so an
 * interrupted move simply runs again at the next start.
 */
export function moveArchiveFromMain(main: SqliteDatabase, archive: SqliteDatabase): void {
  if (main.name === ':memory:' || !main.prepare('SELECT 1 FROM archive LIMIT 1').get()) return;
  archive.prepare('ATTACH DATABASE ? AS main_file').run(main.name);
  try {
    archive.transaction(() => {
      archive.exec(`
        INSERT INTO archive_accounts (jid) SELECT DISTINCT account FROM main_file.archive WHERE true ON CONFLICT (jid) DO NOTHING;
        INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, stanza, at)
          SELECT a.id, m.id, m.with_bare, m.with_full, m.direction, m.message_id, m.stanza, m.at
          FROM main_file.archive m JOIN archive_accounts a ON a.jid = m.account WHERE true ORDER BY m.account, m.at
          ON CONFLICT DO NOTHING;
        DELETE FROM main_file.archive;
      `);
    }).immediate();
  } finally {
    archive.exec('DETACH DATABASE main_file');
  }
}
