// The server's SQLite connections leave WAL checkpoints to a worker thread, so no commit on the
// event loop copies the WAL back into the database file (a ~28 ms stall every ~900 archive rows).
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveFileFor } from '../../src/storage/sqlite/archive-database.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { checkpointInBackground } from '../../src/storage/sqlite/background-checkpoints.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { ArchivedMessage } from '../../src/storage/types.js';

const message = (n: number): ArchivedMessage => ({
  id: `id-${n}`,
  with: 'bob@example.net/phone',
  direction: 'in',
  messageId: `m-${n}`,
  stanza: `<message xmlns="jabber:client" id="m-${n}"><body>message number ${n}</body></message>`,
  timestamp: 1_000_000 + n,
});

/** Resolves once `check` holds; fails the test if it never does. */
async function eventually(check: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('sqlite background checkpoints', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-checkpoints-'));
    file = join(dir, 'herald.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies committed archive rows into the database file with no further commit (fewer pages than SQLite would checkpoint itself)', async () => {
    const failures: unknown[] = [];
    const storage = openSqliteStorage({ file, backgroundCheckpoints: { onFailure: (err) => failures.push(err) } });
    const archiveFile = archiveFileFor(file);
    const before = statSync(archiveFile).size;
    // ~60 pages: far below the 1,000 at which a commit would checkpoint on its own.
    await Promise.all(Array.from({ length: 200 }, (_, n) => storage.archive.append('alice@example.org', message(n))));
    await storage.archive.count('alice@example.org'); // commits what was gathered
    await eventually(() => statSync(archiveFile).size > before, 'the archive file grew from a checkpoint');
    await storage.close();
    expect(failures).toEqual([]);
    // The last connection to close checkpoints what is left and removes the WAL.
    expect(existsSync(`${archiveFile}-wal`)).toBe(false);
    const reopened = openSqliteStorage({ file });
    expect(await reopened.archive.count('alice@example.org')).toBe(200);
    await reopened.close();
  });

  it('starts the WAL over under commits that never pause: told the WAL is long, the writer copies the last frames between two commits', async () => {
    const db = openDatabase(file);
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
    const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
    const commit = db.transaction((rows: number) => {
      for (let n = 0; n < rows; n++) insert.run('x'.repeat(1000));
    });
    // Told to catch up past 256 pages (1 MiB), and the file cut back to 512 KiB when it starts over.
    const checkpoints = checkpointInBackground([db], () => undefined, { catchUpPages: 256, walSizeLimitBytes: 512 * 1024 });
    commit(3000); // ~3 MiB in the WAL
    const grown = statSync(`${file}-wal`).size;
    expect(grown).toBeGreaterThan(2 * 1024 * 1024);
    // A commit in every turn of the event loop: the worker's copy alone never finds the writer idle.
    await eventually(() => {
      commit(5);
      return statSync(`${file}-wal`).size < grown;
    }, 'the WAL started over and was cut back');
    await checkpoints.stop();
    db.close();
  });

  it('turns the connections\' own checkpoints off while the worker runs, and back on when it stops', async () => {
    const db = openDatabase(file);
    const checkpoints = checkpointInBackground([db], () => undefined);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await checkpoints.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });

  it('gives the checkpoints back to the commits, and says why, when the worker fails', async () => {
    const db = openDatabase(file);
    // The worker opens the file by name: gone from there, it cannot.
    renameSync(file, join(dir, 'moved.sqlite'));
    const failure = new Promise<unknown>((resolve) => checkpointInBackground([db], resolve));
    expect(String(await failure)).toMatch(/herald\.sqlite: unable to open database file \(SQLITE_CANTOPEN\)/);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });

  it('starts no worker for a database in memory', async () => {
    const db = new Database(':memory:');
    const checkpoints = checkpointInBackground([db], () => undefined);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpoints.stop();
    db.close();
  });
});
