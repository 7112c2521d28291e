// Per-operation latency of the hot storage writes on SQLite and on PostgreSQL (a throwaway
// cluster on loopback, test/harness/postgres.ts, fsync off), one writer at a time: what a
// message or a roster change costs in storage on each backend. Not part of `npm test`. Run:
//   npx vitest run --config test/bench/vitest.bench.config.ts test/bench/storage-backends.ts
// Prints the median of ROUNDS rounds of OPS operations each, in µs per operation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/types.js';
import { startPostgres, type PostgresCluster } from '../harness/postgres.js';

const ROUNDS = Number(process.env.STORAGE_BENCH_ROUNDS ?? 5);
const OPS = Number(process.env.STORAGE_BENCH_OPS ?? 300);

type Op = (storage: Storage, round: number, n: number) => Promise<unknown>;
const OPERATIONS: Record<string, Op> = {
  'offline.store': (s, r, n) => s.offline.store(`u${r}@example.org`, { stanzaId: `s${n}`, stanza: '<message><body>hello</body></message>', storedAt: n }, 100_000),
  'roster.update': (s, r, n) =>
    s.roster.update(`u${r}@example.org`, `c${n % 50}@example.org`, ({ item }) => ({
      result: null,
      item: { jid: `c${n % 50}@example.org`, subscription: 'none', ask: false, approved: false, groups: [...(item?.groups ?? []).slice(-3), `g${n}`] },
    })),
  'archive.append': (s, r, n) => s.archive.append(`u${r}@example.org`, { id: `a${n}`, with: 'b@example.org', direction: 'in', stanza: '<message/>', timestamp: n }),
  'users.getCredential': (s) => s.users.getCredential('example.org', 'alice', 'SCRAM-SHA-256'),
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(name: string, storage: Storage): Promise<void> {
  await storage.users.create('example.org', 'alice', [{ mechanism: 'SCRAM-SHA-256', salt: Buffer.alloc(16), iterations: 4096, storedKey: Buffer.alloc(32), serverKey: Buffer.alloc(32) }], 1);
  for (const [op, run] of Object.entries(OPERATIONS)) {
    const perOp: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.hrtime.bigint();
      for (let n = 0; n < OPS; n++) await run(storage, round, n);
      perOp.push(Number(process.hrtime.bigint() - start) / 1000 / OPS);
    }
    console.log(`${name.padEnd(10)} ${op.padEnd(20)} median ${median(perOp).toFixed(0)} µs/op (rounds: ${perOp.map((v) => v.toFixed(0)).join(', ')})`);
  }
}

let cluster: PostgresCluster | undefined;
const dir = mkdtempSync(join(tmpdir(), 'herald-storage-bench-'));
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('storage write latency, SQLite vs PostgreSQL', async () => {
  const sqlite = openSqliteStorage({ file: join(dir, 'bench.sqlite') });
  await measure('sqlite', sqlite);
  await sqlite.close();
  cluster = await startPostgres();
  const postgres = await openPostgresStorage(await cluster.createDatabase('bench'));
  await measure('postgres', postgres);
  await postgres.close();
}, 600_000);
