// Runs the storage contract against every backend, plus what only SQLite can get wrong:
// persistence, migrations, sharing the file with a second connection, pragmas.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { migrate, openDatabase } from '../../src/storage/sqlite/database.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { ScramCredential } from '../../src/storage/types.js';
import { runStorageContract, twoHandles } from './contract.js';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'herald-storage-'));

runStorageContract('memory', async () => {
  const storage = createMemoryStorage();
  return { storage, second: storage, cleanup: () => storage.close() };
});

runStorageContract('sqlite', async () => {
  const dir = await tempDir();
  const storage = openSqliteStorage({ file: join(dir, 'test.sqlite') });
  const second = openSqliteStorage({ file: join(dir, 'test.sqlite') });
  return twoHandles(storage, second, () => rm(dir, { recursive: true, force: true }));
});

const cred: ScramCredential = {
  mechanism: 'SCRAM-SHA-256',
  salt: Buffer.from('salt'),
  iterations: 4096,
  storedKey: Buffer.alloc(32, 1),
  serverKey: Buffer.alloc(32, 2),
};

describe('sqlite storage', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, 'herald.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates missing parent folders', async () => {
    const nested = join(dir, 'a', 'b', 'herald.sqlite');
    const storage = openSqliteStorage({ file: nested });
    await storage.close();
    expect(existsSync(nested)).toBe(true);
  });

  it('keeps data across reopen without re-running migrations', async () => {
    const first = openSqliteStorage({ file });
    await first.users.create('example.org', 'alice', [cred], 42);
    await first.kv.set('s', 'k', 'v');
    await first.close();

    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(migrate(raw)).toBe(0);
    raw.close();

    const second = openSqliteStorage({ file });
    expect(await second.users.list()).toEqual([{ domain: 'example.org', username: 'alice', createdAt: 42 }]);
    expect(await second.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(cred);
    expect(await second.kv.get('s', 'k')).toBe('v');
    await second.close();
  });

  it('applies each migration step exactly once', () => {
    // Re-running this step would insert a second row.
    const steps = ['CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);'];
    openDatabase(file, steps).close();
    const db = openDatabase(file, [...steps, 'INSERT INTO t VALUES (2);']);
    expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 2]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('rolls back a failing migration step, version included', () => {
    const steps = ['CREATE TABLE a (x INTEGER);', 'CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);'];
    expect(() => openDatabase(file, steps)).toThrow(/missing/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['a']);
    raw.close();
  });

  it('refuses a database written by a newer version, without touching it', () => {
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();

    expect(() => openSqliteStorage({ file })).toThrow(
      new RegExp(`schema version ${MIGRATIONS.length + 1}.*up to ${MIGRATIONS.length}.*newer Herald`),
    );
    const after = new Database(file);
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('sets WAL, synchronous FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
    // WAL is a property of the file: a plain connection sees it too.
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('two connections on one file see each other’s writes (server + admin CLI)', async () => {
    const server = openSqliteStorage({ file });
    const cli = openSqliteStorage({ file });
    try {
      expect(await cli.users.create('example.org', 'alice', [cred], 1)).toBe(true);
      expect(await server.users.exists('example.org', 'alice')).toBe(true);
      expect(await server.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toEqual(cred);
      expect(await server.users.create('example.org', 'alice', [], 2)).toBe(false);

      await server.kv.set('s', 'k', 'from server');
      expect(await cli.kv.get('s', 'k')).toBe('from server');

      expect(await cli.users.delete('example.org', 'alice')).toBe(true);
      expect(await server.users.exists('example.org', 'alice')).toBe(false);
      expect(await server.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256')).toBeUndefined();
    } finally {
      await server.close();
      await cli.close();
    }
  });

  it('deleting an account deletes its credential rows', async () => {
    const storage = openSqliteStorage({ file });
    await storage.users.create('example.org', 'alice', [cred, { ...cred, mechanism: 'SCRAM-SHA-1' }], 1);
    await storage.users.create('example.org', 'bob', [cred], 1);
    await storage.users.delete('example.org', 'alice');
    await storage.close();
    const raw = new Database(file);
    expect(raw.prepare('SELECT username FROM scram_credentials').pluck().all()).toEqual(['bob']);
    raw.close();
  });
});

describe('openStorage', () => {
  it('opens <dataDir>/herald.sqlite for kind sqlite', async () => {
    const dir = await tempDir();
    try {
      const dataDir = join(dir, 'data');
      const storage = await openStorage({ kind: 'sqlite', dataDir });
      await storage.users.create('example.org', 'alice', [], 1);
      await storage.close();
      expect(existsSync(join(dataDir, 'herald.sqlite'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives a fresh empty store for kind memory', async () => {
    const a = await openStorage({ kind: 'memory' });
    await a.users.create('example.org', 'alice', [], 1);
    const b = await openStorage({ kind: 'memory' });
    expect(await b.users.list()).toEqual([]);
    await a.close();
    await b.close();
  });
});
