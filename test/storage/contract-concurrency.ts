// Contract for what several nodes may do to one account at the same moment: two storage handles
// on the same data (for SQLite two connections to one file, for PostgreSQL two pools; for memory
// the same store, one process) run their writes interleaved, and no update may be lost and no
// limit passed. Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PubsubNodeConfig, RosterItem, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
export const ROUNDS = 12;

const config: PubsubNodeConfig = {
  accessModel: 'presence',
  rosterGroups: [],
  persistItems: true,
  maxItems: 100,
  sendLastPublishedItem: 'on_sub_and_presence',
  notifyRetract: true,
};

/** `ROUNDS` calls of `write`, alternating between the two handles, all started at once. */
export function together<T>(handles: readonly [Storage, Storage], write: (storage: Storage, n: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: ROUNDS }, (_, n) => write(handles[n % 2]!, n)));
}

export function runConcurrencyContract(current: () => readonly [Storage, Storage]): void {
  describe('two writers on one account', () => {
    let handles: readonly [Storage, Storage];
    beforeEach(() => {
      handles = current();
    });

    it('roster update: read-modify-writes of one item are never lost', async () => {
      const bob = 'bob@example.org';
      await together(handles, (storage, n) =>
        storage.roster.update(ALICE, bob, ({ item }) => {
          const base: RosterItem = item ?? { jid: bob, subscription: 'none', ask: false, approved: false, groups: [] };
          return { result: n, item: { ...base, groups: [...base.groups, `g${n}`] } };
        }),
      );
      const stored = await handles[1].roster.getItem(ALICE, bob);
      expect(stored?.groups.slice().sort()).toEqual(Array.from({ length: ROUNDS }, (_, n) => `g${n}`).sort());
      expect((await handles[0].roster.get(ALICE)).version).toBe(ROUNDS);
    });

    it('roster update: the item count a decision sees includes every other writer\'s item', async () => {
      const max = 5;
      const results = await together(handles, (storage, n) =>
        storage.roster
          .update(ALICE, `c${n}@example.org`, ({ item, count }) => {
            if (!item && count >= max) throw new Error('full');
            return { result: 'added', item: { jid: `c${n}@example.org`, subscription: 'none', ask: false, approved: false, groups: [] } };
          })
          .then(
            () => 'added',
            () => 'full',
          ),
      );
      expect(results.filter((r) => r === 'added')).toHaveLength(max);
      expect(await handles[0].roster.count(ALICE)).toBe(max);
    });

    it('pending requests: the per-account count limit holds against concurrent inserts', async () => {
      const limits = { maxCount: 4, maxBytes: 1_000_000 };
      const results = await together(handles, (storage, n) => storage.roster.addPendingIn(ALICE, { jid: `p${n}@example.org` }, limits));
      expect(results.filter(Boolean)).toHaveLength(4);
      expect(await handles[1].roster.pendingIn(ALICE)).toHaveLength(4);
    });

    it('kv compareAndSet: of concurrent claims exactly one wins, and counters lose no increment', async () => {
      const claims = await together(handles, (storage, n) => storage.kv.compareAndSet('s', 'claim', undefined, `by ${n}`));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const increment = async (storage: Storage): Promise<void> => {
        for (;;) {
          const seen = await storage.kv.get('s', 'counter');
          if (await storage.kv.compareAndSet('s', 'counter', seen, String(Number(seen ?? 0) + 1))) return;
        }
      };
      await together(handles, (storage) => increment(storage));
      expect(await handles[0].kv.get('s', 'counter')).toBe(String(ROUNDS));
    });

    it('offline: the quota check and the insert are one step', async () => {
      const results = await together(handles, (storage, n) =>
        storage.offline.store(ALICE, { stanzaId: `sid-${n}`, stanza: `<message><body>${n}</body></message>`, storedAt: n }, 7),
      );
      expect(results.filter((r) => r === 'stored')).toHaveLength(7);
      expect(await handles[1].offline.count(ALICE)).toBe(7);
    });

    it('pubsub: node count, item count and owner bytes hold against concurrent writers', async () => {
      const created = await together(handles, (storage, n) => storage.pubsub.createNode(ALICE, `node-${n}`, config, 3));
      expect(created.filter((r) => r === 'created')).toHaveLength(3);
      // Which three won depends on how the two writers interleave, not on the order of the calls.
      const [first, second] = created.flatMap((r, n) => (r === 'created' ? [`node-${n}`] : []));
      const payload = '<x>0123456789</x>'; // 17 bytes
      const published = await together(handles, (storage, n) =>
        storage.pubsub.publish(ALICE, first!, { id: `i${n}`, payload, publisher: ALICE, publishedAt: n }, { keep: 100, maxOwnerBytes: 5 * 17 }),
      );
      expect(published.filter((r) => typeof r === 'object')).toHaveLength(5);
      expect(await handles[0].pubsub.ownerBytes(ALICE)).toBe(5 * 17);
      await together(handles, (storage, n) =>
        storage.pubsub.publish(ALICE, second!, { id: `k${n}`, payload: '<y/>', publisher: ALICE, publishedAt: n }, { keep: 2, maxOwnerBytes: 1_000_000 }),
      );
      expect(await handles[1].pubsub.items(ALICE, second!)).toHaveLength(2);
    });

    it('private XML: the account byte limit holds against concurrent writers', async () => {
      const xml = (n: number): string => `<e${n} xmlns="urn:t"/>`;
      const results = await together(handles, (storage, n) =>
        storage.privateXml.put(ALICE, [{ name: `e${n}`, namespace: 'urn:t', xml: xml(n) }], 4 * xml(10).length),
      );
      expect(await handles[0].privateXml.accountBytes(ALICE)).toBeLessThanOrEqual(4 * xml(10).length);
      expect(results.filter((r) => r === 'stored').length).toBeGreaterThanOrEqual(3);
    });

    it('held: per-account bound holds against concurrent writers', async () => {
      const limits = { perAccount: 5, bytesPerAccount: 1_000_000, perPeer: 100 };
      const results = await together(handles, (storage, n) =>
        storage.held.hold({ local: 'a.example', remote: 'b.example', sender: ALICE, stanza: `<message>${n}</message>`, heldAt: n }, limits),
      );
      expect(results.filter((r) => r === 'held')).toHaveLength(5);
    });

    it('archive: concurrent appends are all kept, in one strictly increasing order', async () => {
      const results = await together(handles, (storage, n) =>
        storage.archive.append(ALICE, { id: `a${n}`, with: 'bob@example.org', direction: 'in', stanza: '<message/>', timestamp: 1_000 }),
      );
      expect(results.every(Boolean)).toBe(true);
      const page = await handles[0].archive.query(ALICE, { max: 100, fromEnd: false });
      expect(page?.messages.map((m) => m.id).sort()).toEqual(Array.from({ length: ROUNDS }, (_, n) => `a${n}`).sort());
    });
  });
}
