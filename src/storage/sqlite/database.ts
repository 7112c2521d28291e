// Opens the SQLite file: connection pragmas, then schema migrations.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type MigrationStep } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** How long a writer waits for another connection's lock (e.g. the admin CLI) before failing. */
const BUSY_TIMEOUT_MS = 5_000;

function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function assertNotNewer(db: SqliteDatabase, version: number, known: number): void {
  if (version > known) {
    throw new Error(
      `Database ${db.name} has schema version ${version}, but this Herald only knows versions up to ${known}: ` +
        'it was written by a newer Herald. Run that version or restore a backup; refusing to open it.',
    );
  }
}

/**
 * Applies the steps the database does not have yet, each in its own transaction together with
 * its user_version bump, so a failed step leaves the previous version intact.
 * Returns how many steps were applied.
 */
export function migrate(db: SqliteDatabase, steps: readonly MigrationStep[] = MIGRATIONS): number {
  const initial = schemaVersion(db);
  assertNotNewer(db, initial, steps.length);
  if (initial === steps.length) return 0; // common case: no write lock taken

  // IMMEDIATE takes the write lock before re-reading the version, so two processes starting
  // on a fresh file cannot both apply the same step.
  const applyNext = db.transaction((): boolean => {
    const version = schemaVersion(db);
    assertNotNewer(db, version, steps.length);
    const step = steps[version];
    if (step === undefined) return false;
    if (typeof step === 'string') db.exec(step);
    else step(db);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });

  let applied = 0;
  while (applyNext.immediate()) applied++;
  return applied;
}

export function openDatabase(file: string, steps: readonly MigrationStep[] = MIGRATIONS): SqliteDatabase {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });

  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Checked before anything below writes to the file (journal_mode changes its header).
    assertNotNewer(db, schemaVersion(db), steps.length);
    // WAL: readers never block the writer, and the CLI can write while the server runs.
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a committed
    // transaction can vanish on power loss or OS crash. We promise a message is never
    // acknowledged before it is durably stored, so every commit must reach the disk.
    db.pragma('synchronous = FULL');
    // Per connection and off by default in SQLite; the credential cascade depends on it.
    db.pragma('foreign_keys = ON');
    migrate(db, steps);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
