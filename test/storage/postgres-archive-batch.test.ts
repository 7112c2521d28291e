// What an archive batch costs PostgreSQL: the message path archives two copies of every message,
// so a statement per copy was a round trip (and a wake-up of the node and of a backend) per copy.
// A batch is BEGIN, one statement for the accounts' locks, one INSERT, COMMIT, whatever its size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresArchiveRepository } from '../../src/storage/postgres/archive.js';
import { createPool, type Database, type Queryable } from '../../src/storage/postgres/pool.js';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { startPostgres, type PostgresCluster } from '../harness/postgres.js';

let cluster: PostgresCluster | undefined;
let url = '';

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('archive_batch');
  await (await openPostgresStorage(url)).close(); // migrated
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/** The pool, counting every statement sent (BEGIN and COMMIT included). */
function counting(db: Database): Database & { statements: number } {
  const counted = {
    statements: 0,
    query: ((text: string, values?: readonly unknown[]) => {
      counted.statements++;
      return db.query(text, values);
    }) as Queryable['query'],
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      counted.statements += 2;
      return db.transaction((tx) =>
        work({
          query: ((text: string, values?: readonly unknown[]) => {
            counted.statements++;
            return tx.query(text, values);
          }) as Queryable['query'],
        }),
      );
    },
    end: () => db.end(),
  };
  return counted;
}

describe('postgres archive batches', () => {
  it('60 appends over 12 accounts made together cost 4 statements, and each account keeps its order', async () => {
    const db = counting(createPool(url));
    const archive = createPostgresArchiveRepository(db);
    try {
      const accounts = Array.from({ length: 12 }, (_, i) => `user${i}@example.org`);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          archive.append(accounts[n % 12]!, { id: `id-${n}`, with: 'peer@example.org/r', direction: 'in', stanza: `<message><body>${n}</body></message>`, timestamp: 5_000 - n }),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(db.statements).toBe(4);
      const page = await archive.query(accounts[3]!, { max: 100, fromEnd: false });
      expect(page?.messages.map((m) => m.id)).toEqual(['id-3', 'id-15', 'id-27', 'id-39', 'id-51']);
      // Timestamps fell with n: each later copy is raised to (one microsecond past) the one before.
      expect(page?.messages.map((m) => m.timestamp)).toEqual([4_997, 4_997, 4_997, 4_997, 4_997]);
    } finally {
      await archive.settled();
      await db.end();
    }
  });

  it('two nodes appending batches to the same accounts at once neither deadlock nor reuse a position', async () => {
    const pools = [createPool(url), createPool(url)];
    const archives = pools.map((db) => createPostgresArchiveRepository(db));
    try {
      const accounts = ['a@example.org', 'b@example.org', 'c@example.org'];
      const rounds = Array.from({ length: 10 }, (_, round) =>
        archives.flatMap((archive, node) =>
          // Each node lists the accounts in another order, as its traffic would.
          (node === 0 ? accounts : [...accounts].reverse()).map((account, i) =>
            archive.append(account, { id: `n${node}-r${round}-${i}`, with: 'peer@example.org', direction: 'out', stanza: '<message/>', timestamp: 1_000 }),
          ),
        ),
      );
      expect((await Promise.all(rounds.flat())).every(Boolean)).toBe(true);
      for (const account of accounts) expect(await archives[0]!.count(account)).toBe(20);
    } finally {
      await Promise.all(archives.map((a) => a.settled()));
      await Promise.all(pools.map((db) => db.end()));
    }
  });
});
