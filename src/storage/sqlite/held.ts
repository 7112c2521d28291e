// Messages held for unreachable remote domains, in SQLite (table from migration step 4).
import type { HeldLimits, HeldStanza, HeldStanzaRepository, HoldResult } from '../types.js';
import { heldFromRow as toHeld, type HeldRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';


export function createSqliteHeldRepository(db: SqliteDatabase): HeldStanzaRepository {
  const senderTotals = db.prepare<[string], { n: number; bytes: number }>(
    'SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM s2s_held WHERE sender = ?',
  );
  const pairCount = db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM s2s_held WHERE local = ? AND remote = ?');
  const insert = db.prepare<[string, string, string, string, number, number]>(
    'INSERT INTO s2s_held (local, remote, sender, stanza, bytes, held_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const select = db.prepare<[string, string, number], HeldRow>(
    'SELECT seq, local, remote, sender, stanza, held_at FROM s2s_held WHERE local = ? AND remote = ? ORDER BY seq LIMIT ?',
  );
  const deleteOne = db.prepare<[number]>('DELETE FROM s2s_held WHERE seq = ?');
  const selectPairs = db.prepare<[], { local: string; remote: string }>('SELECT DISTINCT local, remote FROM s2s_held ORDER BY local, remote');

  // Checks and insert in one IMMEDIATE transaction (the write lock first), so the bounds hold
  // exactly against other connections; committed with synchronous = FULL before `hold` resolves.
  const holdTx = db.transaction((entry: Omit<HeldStanza, 'seq'>, limits: HeldLimits): HoldResult => {
    const bytes = Buffer.byteLength(entry.stanza, 'utf8');
    const sender = senderTotals.get(entry.sender) ?? { n: 0, bytes: 0 };
    if (sender.n >= limits.perAccount || sender.bytes + bytes > limits.bytesPerAccount) return 'account-full';
    if ((pairCount.get(entry.local, entry.remote)?.n ?? 0) >= limits.perPeer) return 'peer-full';
    insert.run(entry.local, entry.remote, entry.sender, entry.stanza, bytes, entry.heldAt);
    return 'held';
  });
  const deleteTx = db.transaction((seqs: readonly number[]): number => {
    let deleted = 0;
    for (const seq of seqs) deleted += deleteOne.run(seq).changes;
    return deleted;
  });

  return {
    async hold(entry, limits) {
      return holdTx.immediate(entry, limits);
    },
    async list(local, remote, limit) {
      return select.all(local, remote, limit).map(toHeld);
    },
    async delete(seqs) {
      if (seqs.length === 0) return 0;
      return deleteTx.immediate(seqs);
    },
    async pairs() {
      return selectPairs.all();
    },
  };
}
