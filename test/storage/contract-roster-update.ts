// Contract for RosterRepository.update, the roster's one atomic read-modify-write. Called from
// contract.ts; the two-writer cases are in contract-concurrency.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PendingLimits, RosterItem, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const ROOMY: PendingLimits = { maxCount: 100, maxBytes: 100_000 };
const item = (jid: string, extra: Partial<RosterItem> = {}): RosterItem => ({ jid, subscription: 'none', ask: false, approved: false, groups: [], ...extra });

export function runRosterUpdateContract(current: () => Storage): void {
  describe('roster update', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('shows the decision the stored entry, writes the item and hands back the result and new version', async () => {
      await storage.roster.put(ALICE, item('carol@example.org'));
      await storage.roster.addPendingIn(ALICE, { jid: BOB }, ROOMY);
      const seen: unknown[] = [];
      const first = await storage.roster.update(ALICE, BOB, (entry) => {
        seen.push(entry);
        return { result: 'made', item: item(BOB, { name: 'Bob' }) };
      });
      expect(seen).toEqual([{ item: undefined, pendingIn: true, count: 1 }]);
      expect(first).toEqual({ result: 'made', before: undefined, version: 2, refused: false });
      const second = await storage.roster.update(ALICE, BOB, (entry) => ({ result: entry.item?.name, item: { ...entry.item!, subscription: 'from' as const } }));
      expect(second).toEqual({ result: 'Bob', before: item(BOB, { name: 'Bob' }), version: 3, refused: false });
      expect(await storage.roster.getItem(ALICE, BOB)).toEqual(item(BOB, { name: 'Bob', subscription: 'from' }));
    });

    it('writes nothing and bumps no version when the decision changes nothing', async () => {
      const done = await storage.roster.update(ALICE, BOB, () => ({ result: 1 }));
      expect(done).toEqual({ result: 1, before: undefined, refused: false });
      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
    });

    it('removes the item (a tombstone in changesSince); removing a missing item changes no version', async () => {
      await storage.roster.put(ALICE, item(BOB));
      expect((await storage.roster.update(ALICE, BOB, () => ({ result: null, item: 'remove' as const }))).version).toBe(2);
      expect(await storage.roster.changesSince(ALICE, 1)).toEqual({ version: 2, changes: [{ jid: BOB }] });
      expect(await storage.roster.update(ALICE, BOB, () => ({ result: null, item: 'remove' as const }))).toEqual({ result: null, before: undefined, refused: false });
    });

    it('a decision that throws writes nothing, and the error reaches the caller', async () => {
      await expect(
        storage.roster.update(ALICE, BOB, () => {
          throw new Error('roster full');
        }),
      ).rejects.toThrow('roster full');
      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
    });

    it('stores and removes the pending request with the item, in the same step', async () => {
      await storage.roster.update(ALICE, BOB, () => ({ result: null, item: item(BOB), pendingIn: { request: { jid: BOB, status: 'hi' }, limits: ROOMY } }));
      expect(await storage.roster.pendingIn(ALICE)).toEqual([{ jid: BOB, status: 'hi' }]);
      await storage.roster.update(ALICE, BOB, () => ({ result: null, item: item(BOB, { subscription: 'from' }), pendingIn: 'remove' as const }));
      expect(await storage.roster.hasPendingIn(ALICE, BOB)).toBe(false);
      expect((await storage.roster.getItem(ALICE, BOB))?.subscription).toBe('from');
    });

    it('a new request beyond the limits refuses the whole update; a repeat that no longer fits keeps the old one and writes the item', async () => {
      const tight: PendingLimits = { maxCount: 1, maxBytes: 100_000 };
      await storage.roster.addPendingIn(ALICE, { jid: 'first@example.org' }, tight);
      const refused = await storage.roster.update(ALICE, BOB, () => ({ result: 'r', item: item(BOB), pendingIn: { request: { jid: BOB }, limits: tight } }));
      expect(refused).toEqual({ result: 'r', before: undefined, refused: true });
      expect(await storage.roster.getItem(ALICE, BOB)).toBeUndefined();

      const small: PendingLimits = { maxCount: 10, maxBytes: 'first@example.org'.length + 10 };
      const repeat = await storage.roster.update(ALICE, 'first@example.org', () => ({
        result: 'r',
        item: item('first@example.org', { subscription: 'to' }),
        pendingIn: { request: { jid: 'first@example.org', status: 'a status far too long for the bytes left' }, limits: small },
      }));
      expect(repeat.refused).toBe(false);
      expect(await storage.roster.pendingIn(ALICE)).toEqual([{ jid: 'first@example.org' }]);
      expect((await storage.roster.getItem(ALICE, 'first@example.org'))?.subscription).toBe('to');
    });
  });
}
