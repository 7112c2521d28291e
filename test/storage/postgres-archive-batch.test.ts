// What an archive batch costs PostgreSQL: the message path archives two copies of every message,
// so a statement per copy was a round trip (and a wake-up of the node and of a backend) per copy.
// A batch is one statement whatever its size (herald_archive_append takes the locks and inserts),
// and appends of successive event-loop turns gather into one batch (the archive is beside the
// message path): an append someone waits for (`promptly`) and a read do not wait for the window.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

/** The pool, counting every statement sent (BEGIN and COMMIT included) and every transaction. */
function counting(db: Database): Database & { statements: number; transactions: number } {
  const counted = {
    statements: 0,
    transactions: 0,
    query: ((text: string, values?: readonly unknown[]) => {
      counted.statements++;
      return db.query(text, values);
    }) as Queryable['query'],
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      counted.statements += 2;
      counted.transactions++;
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

/** Runs `test` with an archive on a counting pool, then lets it commit and closes the pool. */
async function withCountedArchive(test: (archive: ReturnType<typeof createPostgresArchiveRepository>, db: { statements: number; transactions: number }) => Promise<void>): Promise<void> {
  const db = counting(createPool(url));
  const archive = createPostgresArchiveRepository(db);
  try {
    await test(archive, db);
  } finally {
    await archive.settled();
    await db.end();
  }
}

const message = (n: number) => ({ id: `g-${n}`, with: 'peer@example.org/r', direction: 'in' as const, stanza: '<message/>', timestamp: 1_000 + n });

describe('postgres archive batches', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('appends of several event-loop turns share one batch; a read sends what waits at once', async () => {
    // The gathering timer never fires here: only the read can have sent the batch.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await withCountedArchive(async (archive, db) => {
      const appended: Promise<boolean>[] = [];
      for (let n = 1; n <= 5; n++) {
        appended.push(archive.append('gather@example.org', message(n)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(db.statements).toBe(0);
      const page = await archive.query('gather@example.org', { max: 10, fromEnd: false });
      expect(page?.messages.map((m) => m.id)).toEqual(['g-1', 'g-2', 'g-3', 'g-4', 'g-5']);
      expect(await Promise.all(appended)).toEqual([true, true, true, true, true]);
      expect(db.statements).toBe(1 + 1); // the batch, then the page
    });
  });

  it('an append someone waits for (promptly) commits without waiting out the gathering window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await withCountedArchive(async (archive, db) => {
      expect(await archive.append('prompt@example.org', message(1), { promptly: true })).toBe(true);
      expect(db.statements).toBe(1);
    });
  });

  it('60 appends over 12 accounts made together cost 1 statement and no transaction, and each account keeps its order', async () => {
    await withCountedArchive(async (archive, db) => {
      const accounts = Array.from({ length: 12 }, (_, i) => `user${i}@example.org`);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          archive.append(accounts[n % 12]!, { id: `id-${n}`, with: 'peer@example.org/r', direction: 'in', stanza: `<message><body>${n}</body></message>`, timestamp: 5_000 - n }),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(db).toMatchObject({ statements: 1, transactions: 0 });
      const page = await archive.query(accounts[3]!, { max: 100, fromEnd: false });
      expect(page?.messages.map((m) => m.id)).toEqual(['id-3', 'id-15', 'id-27', 'id-39', 'id-51']);
      // Timestamps fell with n: each later copy is raised to (one microsecond past) the one before.
      expect(page?.messages.map((m) => m.timestamp)).toEqual([4_997, 4_997, 4_997, 4_997, 4_997]);
    });
  });

  it('a full batch (2,000 rows, 16,000 parameters) is sent at once and the next append starts another', async () => {
    await withCountedArchive(async (archive, db) => {
      const results = await Promise.all(Array.from({ length: 2001 }, (_, n) => archive.append('full@example.org', { ...message(n), id: `full-${n}` })));
      expect(results.every(Boolean)).toBe(true);
      expect(db.statements).toBe(2);
      expect(await archive.count('full@example.org')).toBe(2001);
    });
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

  it('two nodes appending to one account at once never place a message before one committed earlier', async () => {
    // Each append is its own statement, so the nodes' statements keep waiting on each other's
    // lock. A statement whose snapshot predated the lock would miss the other node's newest row and
    // reuse its `at` (the timestamps are equal): a rejected append, or a duplicate position.
    const pools = [createPool(url), createPool(url)];
    const archives = pools.map((db) => createPostgresArchiveRepository(db));
    const account = 'race@example.org';
    try {
      const appended = await Promise.all(
        archives.map(async (archive, node) => {
          const results: boolean[] = [];
          for (let n = 0; n < 150; n++) {
            const m = { id: `n${node}-${n}`, with: 'peer@example.org', direction: 'out' as const, stanza: '<message/>', timestamp: 1_000 };
            results.push(await archive.append(account, m, { promptly: true }));
          }
          return results;
        }),
      );
      expect(appended.flat().every(Boolean)).toBe(true);
      const { rows } = await pools[0]!.query<{ id: string; at: number }>('SELECT id, at FROM archive WHERE account = $1 ORDER BY at', [account]);
      expect(new Set(rows.map((row) => row.at)).size).toBe(300);
      for (const node of [0, 1]) {
        const ids = rows.map((row) => row.id).filter((id) => id.startsWith(`n${node}-`));
        expect(ids).toEqual(Array.from({ length: 150 }, (_, n) => `n${node}-${n}`));
      }
    } finally {
      await Promise.all(archives.map((a) => a.settled()));
      await Promise.all(pools.map((db) => db.end()));
    }
  });
});
