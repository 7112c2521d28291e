// Runs the storage contract against PostgreSQL (a throwaway cluster, test/harness/postgres.ts),
// plus what only PostgreSQL can get wrong: migrations under concurrent start-up, unusable URLs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import pg from 'pg';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { PG_MIGRATIONS, migratePostgres } from '../../src/storage/postgres/migrations.js';
import { createPool } from '../../src/storage/postgres/pool.js';
import { startPostgres, truncateAll, PG_PASSWORD, type PostgresCluster } from '../harness/postgres.js';
import { runStorageContract, twoHandles } from './contract.js';

let cluster: PostgresCluster | undefined;
let contractUrl: string | undefined;

/** The cluster and a migrated database for the contract, made on first use. */
async function contractDatabase(): Promise<string> {
  cluster ??= await startPostgres();
  contractUrl ??= await cluster.createDatabase('contract');
  return contractUrl;
}

beforeAll(async () => {
  await contractDatabase();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

runStorageContract('postgres', async () => {
  const url = await contractDatabase();
  const storage = await openPostgresStorage(url);
  const second = await openPostgresStorage(url);
  await truncateAll(url);
  return twoHandles(storage, second);
});

describe('postgres storage', () => {
  it('applies every migration once, even when several nodes start at the same moment', async () => {
    const url = await cluster!.createDatabase('racing_starts');
    const opened = await Promise.all([1, 2, 3, 4].map(() => openPostgresStorage(url)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await client.end();
      await Promise.all(opened.map((s) => s.close()));
    }
  });

  it('keeps data across a reopen', async () => {
    const url = await cluster!.createDatabase('reopen');
    const first = await openPostgresStorage(url);
    await first.users.create('example.org', 'alice', [], 7);
    await first.close();
    const second = await openPostgresStorage(url);
    try {
      expect(await second.users.list()).toEqual([{ domain: 'example.org', username: 'alice', createdAt: 7 }]);
    } finally {
      await second.close();
    }
  });

  it('upgrades a database of the version before the archive function, its archive going on after the rows it holds', async () => {
    const url = await cluster!.createDatabase('before_archive_function');
    const db = createPool(url);
    await migratePostgres(db, PG_MIGRATIONS.slice(0, 15)); // step 16 adds herald_archive_append
    await db.query(
      "INSERT INTO archive (account, id, with_bare, with_full, direction, stanza, at) VALUES ('a@example.org', 'old', 'b@example.org', 'b@example.org', 'in', '<message/>', 9000000)",
    );
    await db.end();
    const storage = await openPostgresStorage(url);
    try {
      const message = { id: 'new', with: 'b@example.org', direction: 'out' as const, stanza: '<message/>', timestamp: 1_000 };
      expect(await storage.archive.append('a@example.org', message, { promptly: true })).toBe(true);
      const page = await storage.archive.query('a@example.org', { max: 10, fromEnd: false });
      expect(page?.messages.map((m) => [m.id, m.timestamp])).toEqual([['old', 9_000], ['new', 9_000]]);
    } finally {
      await storage.close();
    }
  });

  it('refuses a database written by a newer Herald', async () => {
    const url = await cluster!.createDatabase('newer');
    await (await openPostgresStorage(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_MIGRATIONS.length + 5]);
    await client.end();
    await expect(openPostgresStorage(url)).rejects.toThrow(/schema version \d+, but this Herald only knows versions up to/);
  });

  it('names the URL with its password masked, and the cause, for a refused password', async () => {
    const url = cluster!.url('contract').replace(PG_PASSWORD, 'wrong-password');
    const error = await openPostgresStorage(url).then(
      () => new Error('opened'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain(`postgres://herald:***@127.0.0.1:${cluster!.port}/contract`);
    expect(error.message).toContain('the password was refused');
    expect(error.message).not.toContain('wrong-password');
    expect(error.message).not.toContain('\n');
  });

  it('says the database does not exist', async () => {
    await expect(openPostgresStorage(cluster!.url('no_such_db'))).rejects.toThrow(/no_such_db cannot be used: the database does not exist/);
  });

  it('says nothing accepts connections on a closed port', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    await expect(openPostgresStorage(`postgres://herald:secret@127.0.0.1:${closed}/herald`)).rejects.toThrow(
      new RegExp(`^PostgreSQL at postgres://herald:\\*\\*\\*@127\\.0\\.0\\.1:${closed}/herald cannot be used: nothing accepts connections there`),
    );
  });
});
