// What only the SQLite archive can get wrong: it lives in its own file (own WAL, synchronous
// NORMAL), two connections share it, and archives kept in the main file by an older Herald move
// into it at start.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { archiveFileFor, openArchiveDatabase } from '../../src/storage/sqlite/archive-database.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { ArchivedMessage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const message = (n: number): ArchivedMessage => ({
  id: `id-${n}`,
  with: 'bob@example.net/phone',
  direction: 'in',
  messageId: `m-${n}`,
  stanza: `<message xmlns="jabber:client" id="m-${n}"><body>${n}</body></message>`,
  timestamp: 1_000_000 + n,
});

describe('sqlite archive file', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-archive-'));
    file = join(dir, 'herald.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps archives in herald-archive.sqlite beside the main file, in WAL mode with synchronous NORMAL', async () => {
    const storage = openSqliteStorage({ file });
    expect(await storage.archive.append(ALICE, message(1))).toBe(true);
    await storage.close();
    expect(archiveFileFor(file)).toBe(join(dir, 'herald-archive.sqlite'));
    expect(existsSync(archiveFileFor(file))).toBe(true);
    const raw = new Database(archiveFileFor(file), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT count(*) AS n FROM archive').get()).toEqual({ n: 1 });
    raw.close();
    // synchronous is per connection: the archive's own connection sets it.
    const archiveDb = openArchiveDatabase(archiveFileFor(file));
    expect(archiveDb.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    archiveDb.close();
    const main = new Database(file, { readonly: true });
    expect(main.prepare('SELECT count(*) AS n FROM archive').get()).toEqual({ n: 0 });
    main.close();
  });

  it('an append someone waits for (a room, before it sends) commits at the end of the turn, not after the gathering window', async () => {
    // Only setTimeout is faked: the 50 ms gathering window never ends by itself, setImmediate does.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const storage = openSqliteStorage({ file });
    try {
      let gatheredDone = false;
      const gathered = storage.archive.append(ALICE, message(1)).then((stored) => ((gatheredDone = true), stored));
      await new Promise((resolve) => setImmediate(resolve));
      expect(gatheredDone).toBe(false); // still waiting for company
      const prompt = storage.archive.append('room@conference.example.org', message(2), { promptly: true });
      // Commits in the same batch as what was gathered before it, without the window ending.
      expect(await prompt).toBe(true);
      expect(await gathered).toBe(true);
      const later = storage.archive.append(ALICE, message(3));
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(50);
      expect(await later).toBe(true);
    } finally {
      vi.useRealTimers();
      await storage.close();
    }
  });

  it('two connections (server and admin CLI) see each other’s archive writes and account numbers', async () => {
    const server = openSqliteStorage({ file });
    const cli = openSqliteStorage({ file });
    try {
      await server.archive.append(ALICE, message(1));
      expect(await cli.archive.count(ALICE)).toBe(1);
      // The CLI numbers a new account; the server must find it under the same number.
      await cli.archive.append('carol@example.org', message(2));
      expect(await server.archive.count('carol@example.org')).toBe(1);
      expect(await server.archive.append('carol@example.org', message(3))).toBe(true);
      expect((await cli.archive.query('carol@example.org', { max: 10, fromEnd: false }))?.messages.map((m) => m.id)).toEqual(['id-2', 'id-3']);
      expect(await cli.archive.deleteAccount(ALICE)).toBe(1);
      expect(await server.archive.count(ALICE)).toBe(0);
    } finally {
      await server.close();
      await cli.close();
    }
  });

  it('moves archives kept in the main file by an older Herald into the archive file, once', async () => {
    const old = openDatabase(file, MIGRATIONS);
    const insert = old.prepare(
      'INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, stanza, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const n of [1, 2]) {
      const m = message(n);
      insert.run(ALICE, m.id, 'bob@example.net', m.with, m.direction, m.messageId, m.stanza, m.timestamp * 1000);
    }
    old.close();

    const storage = openSqliteStorage({ file });
    expect((await storage.archive.query(ALICE, { max: 10, fromEnd: false }))?.messages).toEqual([message(1), message(2)]);
    expect(await storage.archive.append(ALICE, message(3))).toBe(true);
    await storage.close();
    const again = openSqliteStorage({ file });
    expect(await again.archive.count(ALICE)).toBe(3);
    await again.close();
  });
});
