// The main SQLite file's group commit (src/storage/sqlite/group-commit.ts): writes issued in one
// event-loop turn share one commit, each caller learns of its write only once it is committed,
// one failing write does not take the others down, and order of issue is order of effect.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/storage/sqlite/group-commit.js';

let dir: string;
let db: Database.Database;
let other: Database.Database;

function notes(database: Database.Database) {
  const insert = database.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
  const failing = database.transaction((text: string) => {
    insert.run(text);
    throw new Error(`refused ${text}`);
  });
  return {
    async add(text: string): Promise<number> {
      return Number(insert.run(text).lastInsertRowid);
    },
    async addThenFail(text: string): Promise<void> {
      failing(text);
    },
    async count(): Promise<number> {
      return (database.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
    },
  };
}

/** WAL frames written since the last checkpoint: one commit of a page is one frame. */
const walFrames = (database: Database.Database): number => (database.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-group-commit-'));
  db = new Database(join(dir, 'main.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  other = new Database(join(dir, 'main.sqlite'), { readonly: true });
});

afterEach(async () => {
  other.close();
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite group commit', () => {
  it('writes issued in one turn share one commit; one per write without it', async () => {
    const direct = notes(db);
    for (let i = 0; i < 20; i++) await direct.add(`alone ${i}`);
    const framesAlone = walFrames(db);
    db.pragma('wal_checkpoint(TRUNCATE)');

    const batched = groupCommit(db).batchWrites(notes(db), ['add']);
    await Promise.all(Array.from({ length: 20 }, (_, i) => batched.add(`together ${i}`)));
    const framesTogether = walFrames(db);
    expect(framesAlone).toBeGreaterThanOrEqual(20);
    expect(framesTogether).toBeLessThanOrEqual(2);
  });

  it('a write settles only once it is committed: another connection sees it by then, not before', async () => {
    const batched = groupCommit(db).batchWrites(notes(db), ['add']);
    const seen = (): number => (other.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
    const pending = batched.add('first');
    expect(seen()).toBe(0);
    await pending;
    expect(seen()).toBe(1);
  });

  it('a failing write is rolled back and rejected alone; the writes around it commit, in the order issued', async () => {
    const batched = groupCommit(db).batchWrites(notes(db), ['add', 'addThenFail']);
    const results = await Promise.allSettled([batched.add('a'), batched.addThenFail('b'), batched.add('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused b');
    const [a, c] = [(results[0] as PromiseFulfilledResult<number>).value, (results[2] as PromiseFulfilledResult<number>).value];
    expect(c).toBeGreaterThan(a);
    expect(other.prepare('SELECT text FROM notes ORDER BY id').all()).toEqual([{ text: 'a' }, { text: 'c' }]);
  });

  it('reads are not deferred, and methods not named keep their own behaviour', async () => {
    const batched = groupCommit(db).batchWrites(notes(db), ['add']);
    const write = batched.add('x');
    expect(await batched.count()).toBe(0); // the read ran before the queued write
    await write;
    expect(await batched.count()).toBe(1);
  });

  it('flush() commits what is queued at once (closing the database)', async () => {
    const commits = groupCommit(db);
    const batched = commits.batchWrites(notes(db), ['add']);
    const write = batched.add('before close');
    commits.flush();
    expect((other.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n).toBe(1);
    await write;
  });
});
