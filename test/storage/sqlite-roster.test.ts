// What only the SQLite roster can get wrong: persistence, the schema step that adds it,
// rows left behind, sharing the file with a second connection, rollback of a failed write.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createSqliteUserRepository } from '../../src/storage/sqlite/users.js';
import { PENDING_STATUS_MAX_CHARS } from '../../src/storage/pending-requests.js';
import type { PendingLimits, RosterItem, Subscription } from '../../src/storage/types.js';

/** Schema version reached by the migration step that adds the roster tables. */
const ROSTER_SCHEMA_VERSION = 2;
const ROSTER_TABLES = ['pending_in', 'roster_changes', 'roster_items', 'roster_versions'];
const ALICE = 'alice@example.org';
/** Schema version before pending requests were reduced to contact, status and nick. */
const WHOLE_STANZA_SCHEMA_VERSION = 3;
const ROOMY: PendingLimits = { maxCount: 1000, maxBytes: 1024 * 1024 };

const item = (jid: string, extra: Partial<RosterItem> = {}): RosterItem => ({
  jid,
  subscription: 'none',
  ask: false,
  approved: false,
  groups: [],
  ...extra,
});

describe('sqlite roster', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-roster-'));
    file = join(dir, 'herald.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives reopen: items, tombstones, version and pending requests', async () => {
    const first = openSqliteStorage({ file });
    const carol = item('carol@example.org', { name: 'Carol', subscription: 'both', groups: ['B', 'A'] });
    await first.roster.put(ALICE, carol);
    await first.roster.put(ALICE, item('dave@example.org'));
    await first.roster.remove(ALICE, 'dave@example.org');
    await first.roster.addPendingIn(ALICE, { jid: 'p@example.org', status: 'hi' }, ROOMY);
    await first.close();

    const second = openSqliteStorage({ file });
    try {
      expect(await second.roster.get(ALICE)).toEqual({ version: 3, items: [carol] });
      expect(await second.roster.changesSince(ALICE, 0)).toEqual({
        version: 3,
        changes: [{ jid: carol.jid, item: carol }, { jid: 'dave@example.org' }],
      });
      expect(await second.roster.pendingIn(ALICE)).toEqual([{ jid: 'p@example.org', status: 'hi' }]);
      expect(await second.roster.put(ALICE, item('erin@example.org'))).toBe(4);
    } finally {
      await second.close();
    }
  });

  it('adds the roster tables to a database at the previous schema version, keeping its data', async () => {
    const old = openDatabase(file, MIGRATIONS.slice(0, ROSTER_SCHEMA_VERSION - 1));
    expect(old.pragma('user_version', { simple: true })).toBe(ROSTER_SCHEMA_VERSION - 1);
    await createSqliteUserRepository(old).create('example.org', 'alice', [], 7);
    old.close();

    const storage = openSqliteStorage({ file });
    try {
      expect(await storage.users.list()).toEqual([{ domain: 'example.org', username: 'alice', createdAt: 7 }]);
      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
      expect(await storage.roster.put(ALICE, item('bob@example.org'))).toBe(1);
    } finally {
      await storage.close();
    }
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?, ?)").pluck();
    expect(tables.all(...ROSTER_TABLES).sort()).toEqual(ROSTER_TABLES);
    raw.close();
  });

  it('deleteAccount leaves no row of the account in any roster table', async () => {
    const storage = openSqliteStorage({ file });
    for (const account of [ALICE, 'bob@example.org']) {
      await storage.roster.put(account, item('a@example.org'));
      await storage.roster.put(account, item('b@example.org'));
      await storage.roster.remove(account, 'b@example.org');
      await storage.roster.addPendingIn(account, { jid: 'p@example.org' }, ROOMY);
    }
    await storage.roster.deleteAccount(ALICE);
    await storage.close();

    const raw = new Database(file);
    for (const table of ROSTER_TABLES) {
      expect(raw.prepare(`SELECT DISTINCT account FROM ${table}`).pluck().all(), table).toEqual(['bob@example.org']);
    }
    raw.close();
  });

  it('two connections share one version counter (server + admin CLI)', async () => {
    const server = openSqliteStorage({ file });
    const cli = openSqliteStorage({ file });
    try {
      expect(await server.roster.put(ALICE, item('a@example.org'))).toBe(1);
      expect(await cli.roster.put(ALICE, item('b@example.org'))).toBe(2);
      expect(await server.roster.remove(ALICE, 'a@example.org')).toBe(3);
      expect(await cli.roster.changesSince(ALICE, 1)).toEqual({
        version: 3,
        changes: [{ jid: 'b@example.org', item: item('b@example.org') }, { jid: 'a@example.org' }],
      });
    } finally {
      await server.close();
      await cli.close();
    }
  });

  it('migration 4 keeps who asked, a trimmed status and the nick of each stored request, in order', async () => {
    const old = openDatabase(file, MIGRATIONS.slice(0, WHOLE_STANZA_SCHEMA_VERSION));
    const insert = old.prepare('INSERT INTO pending_in (account, contact, stanza) VALUES (?, ?, ?)');
    const huge = 'z'.repeat(200_000);
    insert.run(ALICE, 'big@remote.example', `<presence type="subscribe" from="big@remote.example"><status>${huge}</status><junk xmlns="urn:x">${huge}</junk></presence>`);
    insert.run(ALICE, 'nick@remote.example', '<presence type="subscribe"><status>please &amp; thanks</status><nick xmlns="http://jabber.org/protocol/nick">Nicky</nick></presence>');
    insert.run(ALICE, 'plain@remote.example', '<presence type="subscribe"/>');
    insert.run(ALICE, 'broken@remote.example', '<presence type="subscribe"><status>unclosed');
    insert.run('bob@example.org', 'p@remote.example', '<presence type="subscribe"><status>for bob</status></presence>');
    old.close();

    const storage = openSqliteStorage({ file });
    try {
      expect(await storage.roster.pendingIn(ALICE)).toEqual([
        { jid: 'big@remote.example', status: 'z'.repeat(PENDING_STATUS_MAX_CHARS) },
        { jid: 'nick@remote.example', status: 'please & thanks', nick: 'Nicky' },
        { jid: 'plain@remote.example' },
        { jid: 'broken@remote.example' },
      ]);
      expect(await storage.roster.pendingIn('bob@example.org')).toEqual([{ jid: 'p@remote.example', status: 'for bob' }]);
      // The byte cost was computed for the migrated rows: the limit sees them.
      const tight: PendingLimits = { maxCount: 100, maxBytes: PENDING_STATUS_MAX_CHARS + 100 };
      expect(await storage.roster.addPendingIn(ALICE, { jid: 'new@remote.example' }, tight)).toBe(false);
    } finally {
      await storage.close();
    }
    const raw = new Database(file);
    const columns = raw.prepare("SELECT name FROM pragma_table_info('pending_in')").pluck().all();
    expect(columns).not.toContain('stanza');
    raw.close();
  });

  it('two connections cannot both take the last pending place (server + admin CLI, or two nodes)', async () => {
    const one = openSqliteStorage({ file });
    const two = openSqliteStorage({ file });
    const limits: PendingLimits = { maxCount: 2, maxBytes: 1024 };
    try {
      expect(await one.roster.addPendingIn(ALICE, { jid: 'a@remote.example' }, limits)).toBe(true);
      const results = await Promise.all([
        one.roster.addPendingIn(ALICE, { jid: 'b@remote.example' }, limits),
        two.roster.addPendingIn(ALICE, { jid: 'c@remote.example' }, limits),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await two.roster.pendingIn(ALICE)).toHaveLength(2);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('a rejected put changes neither the items nor the version', async () => {
    const storage = openSqliteStorage({ file });
    try {
      await storage.roster.put(ALICE, item('a@example.org'));
      // The type system forbids this; the CHECK constraint is the last line of defence.
      const bad = item('a@example.org', { subscription: 'bogus' as Subscription });
      await expect(storage.roster.put(ALICE, bad)).rejects.toThrow(/CHECK/);
      expect(await storage.roster.get(ALICE)).toEqual({ version: 1, items: [item('a@example.org')] });
      expect(await storage.roster.changesSince(ALICE, 1)).toEqual({ version: 1, changes: [] });
    } finally {
      await storage.close();
    }
  });
});
