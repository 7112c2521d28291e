// Messages held for unreachable remote domains, in PostgreSQL. The bounds are checked under two
// advisory locks (the sending account's, then the pair's: always in that order, so two holds never
// wait on each other in a cycle) in the transaction that inserts.
import type { HeldStanzaRepository } from '../types.js';
import { heldFromRow as toHeld, type HeldRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database } from './pool.js';


export function createPostgresHeldRepository(db: Database): HeldStanzaRepository {
  return {
    hold: (entry, limits) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.heldSender, entry.sender);
        await lockKey(tx, LOCK.heldPair, `${entry.local} ${entry.remote}`);
        const bytes = Buffer.byteLength(entry.stanza, 'utf8');
        const sender = await tx.query<{ n: number; bytes: number }>(
          'SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM s2s_held WHERE sender = $1',
          [entry.sender],
        );
        const totals = sender.rows[0] ?? { n: 0, bytes: 0 };
        if (totals.n >= limits.perAccount || totals.bytes + bytes > limits.bytesPerAccount) return 'account-full';
        const pair = await tx.query<{ n: number }>('SELECT count(*) AS n FROM s2s_held WHERE local = $1 AND remote = $2', [entry.local, entry.remote]);
        if ((pair.rows[0]?.n ?? 0) >= limits.perPeer) return 'peer-full';
        await tx.query('INSERT INTO s2s_held (local, remote, sender, stanza, bytes, held_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          entry.local,
          entry.remote,
          entry.sender,
          entry.stanza,
          bytes,
          entry.heldAt,
        ]);
        return 'held';
      }),
    async list(local, remote, limit) {
      const { rows } = await db.query<HeldRow>(
        'SELECT seq, local, remote, sender, stanza, held_at FROM s2s_held WHERE local = $1 AND remote = $2 ORDER BY seq LIMIT $3',
        [local, remote, limit],
      );
      return rows.map(toHeld);
    },
    async delete(seqs) {
      if (seqs.length === 0) return 0;
      const { rowCount } = await db.query('DELETE FROM s2s_held WHERE seq = ANY($1::bigint[])', [[...seqs]]);
      return rowCount ?? 0;
    },
    async pairs() {
      const { rows } = await db.query<{ local: string; remote: string }>(
        'SELECT local, remote FROM s2s_held GROUP BY local, remote ORDER BY local COLLATE "C", remote COLLATE "C"',
      );
      return rows;
    },
  };
}
