// Messages held for unreachable remote domains, in process memory, with the SQLite backend's semantics.
import type { HeldStanza, HeldStanzaRepository } from '../types.js';

export function createMemoryHeldRepository(assertOpen: () => void): HeldStanzaRepository {
  const rows: HeldStanza[] = [];
  let nextSeq = 1;
  return {
    async hold(entry, limits) {
      assertOpen();
      const bytes = Buffer.byteLength(entry.stanza, 'utf8');
      const mine = rows.filter((r) => r.sender === entry.sender);
      const held = mine.reduce((sum, r) => sum + Buffer.byteLength(r.stanza, 'utf8'), 0);
      if (mine.length >= limits.perAccount || held + bytes > limits.bytesPerAccount) return 'account-full';
      if (rows.filter((r) => r.local === entry.local && r.remote === entry.remote).length >= limits.perPeer) return 'peer-full';
      rows.push({ ...entry, seq: nextSeq++ });
      return 'held';
    },
    async list(local, remote, limit) {
      assertOpen();
      return rows.filter((r) => r.local === local && r.remote === remote).slice(0, limit).map((r) => ({ ...r }));
    },
    async delete(seqs) {
      assertOpen();
      let deleted = 0;
      for (const seq of seqs) {
        const index = rows.findIndex((r) => r.seq === seq);
        if (index < 0) continue;
        rows.splice(index, 1);
        deleted += 1;
      }
      return deleted;
    },
    async pairs() {
      assertOpen();
      const seen = new Map<string, { local: string; remote: string }>();
      for (const { local, remote } of rows) seen.set(`${local}\u0000${remote}`, { local, remote });
      // Code-point order, as SQLite's default BINARY collation sorts.
      const order = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
      return [...seen.values()].sort((a, b) => order(a.local, b.local) || order(a.remote, b.remote));
    },
  };
}
