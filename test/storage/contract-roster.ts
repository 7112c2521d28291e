// Contract for RosterRepository: items, versions and changesSince, pending inbound
// subscription requests. Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import { pendingRequestBytes } from '../../src/storage/pending-requests.js';
import type { PendingLimits, PendingRequest, RosterItem, Storage, Subscription } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.net';

function item(jid: string, extra: Partial<RosterItem> = {}): RosterItem {
  return { jid, subscription: 'none', ask: false, approved: false, groups: [], ...extra };
}

const ROOMY: PendingLimits = { maxCount: 1000, maxBytes: 1024 * 1024 };
const request = (jid: string, extra: Partial<PendingRequest> = {}): PendingRequest => ({ jid, ...extra });

/** get() promises no order, so compare by jid. */
const byJid = (items: RosterItem[]): RosterItem[] => [...items].sort((a, b) => (a.jid < b.jid ? -1 : 1));

export function runRosterContract(current: () => Storage): void {
  describe('roster', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('is empty at version 0 for an account never seen', async () => {
      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
      expect(await storage.roster.getItem(ALICE, 'x@example.org')).toBeUndefined();
      expect(await storage.roster.count(ALICE)).toBe(0);
      expect(await storage.roster.changesSince(ALICE, 0)).toEqual({ version: 0, changes: [] });
      expect(await storage.roster.pendingIn(ALICE)).toEqual([]);
    });

    it('round-trips items: group order, name absent or present, flags, awkward text', async () => {
      const full = item('carol@example.org', {
        name: 'Carol "C" \\ \u{1F600}',
        subscription: 'both',
        ask: true,
        approved: true,
        groups: ['Work', 'Friends', 'A "quoted" \\ group', '\u00e9quipe'],
      });
      const bare = item('dave@example.org');
      const emptyName = item('erin@example.org', { name: '' });
      for (const i of [full, bare, emptyName]) await storage.roster.put(ALICE, i);

      expect(await storage.roster.getItem(ALICE, full.jid)).toEqual(full);
      const gotBare = await storage.roster.getItem(ALICE, bare.jid);
      expect(gotBare).toEqual(bare);
      expect(gotBare && 'name' in gotBare).toBe(false);
      expect((await storage.roster.getItem(ALICE, emptyName.jid))?.name).toBe('');
      expect(byJid((await storage.roster.get(ALICE)).items)).toEqual([full, bare, emptyName]);
      // Contacts match exactly; normalising the JID is the caller's job.
      expect(await storage.roster.getItem(ALICE, 'Carol@example.org')).toBeUndefined();
    });

    it('round-trips every subscription state and flag combination', async () => {
      const states: Subscription[] = ['none', 'to', 'from', 'both'];
      const items = states.flatMap((subscription, s) =>
        [0, 1, 2, 3].map((f) => item(`c${s}${f}@example.org`, { subscription, ask: (f & 1) === 1, approved: (f & 2) === 2 })),
      );
      for (const i of items) await storage.roster.put(ALICE, i);
      for (const i of items) expect(await storage.roster.getItem(ALICE, i.jid)).toEqual(i);
      expect(await storage.roster.count(ALICE)).toBe(items.length);
    });

    it('put replaces the whole item, dropping a name not given', async () => {
      await storage.roster.put(ALICE, item('bob@example.org', { name: 'Bob', groups: ['A', 'B'], ask: true }));
      const next = item('bob@example.org', { subscription: 'to', groups: ['C'] });
      await storage.roster.put(ALICE, next);
      expect(await storage.roster.getItem(ALICE, 'bob@example.org')).toEqual(next);
      expect(await storage.roster.count(ALICE)).toBe(1);
    });

    it('bumps the version by one per change, and remove of an absent contact changes nothing', async () => {
      expect(await storage.roster.put(ALICE, item('a@example.org'))).toBe(1);
      expect(await storage.roster.put(ALICE, item('b@example.org'))).toBe(2);
      expect(await storage.roster.put(ALICE, item('a@example.org', { name: 'A' }))).toBe(3);
      expect(await storage.roster.remove(ALICE, 'b@example.org')).toBe(4);
      expect(await storage.roster.remove(ALICE, 'b@example.org')).toBeUndefined();
      expect(await storage.roster.remove(ALICE, 'never@example.org')).toBeUndefined();
      expect((await storage.roster.get(ALICE)).version).toBe(4);
      expect(await storage.roster.changesSince(ALICE, 4)).toEqual({ version: 4, changes: [] });
      expect(await storage.roster.remove(BOB, 'a@example.org')).toBeUndefined();
      expect((await storage.roster.get(BOB)).version).toBe(0);
    });

    describe('changesSince', () => {
      const a1 = item('a@example.org', { name: 'first' });
      const a2 = item('a@example.org', { name: 'second', subscription: 'both' });
      const b = item('b@example.org');
      const c = item('c@example.org', { groups: ['G'] });

      beforeEach(async () => {
        await storage.roster.put(ALICE, a1); // 1
        await storage.roster.put(ALICE, b); // 2
        await storage.roster.put(ALICE, c); // 3
        await storage.roster.remove(ALICE, 'b@example.org'); // 4
        await storage.roster.put(ALICE, a2); // 5
      });

      it('from 0 gives every live item and the tombstone of each removed one, oldest first', async () => {
        expect(await storage.roster.changesSince(ALICE, 0)).toEqual({
          version: 5,
          changes: [{ jid: c.jid, item: c }, { jid: b.jid }, { jid: a2.jid, item: a2 }],
        });
      });

      it('from a middle version gives only what changed after it', async () => {
        expect(await storage.roster.changesSince(ALICE, 3)).toEqual({
          version: 5,
          changes: [{ jid: b.jid }, { jid: a2.jid, item: a2 }],
        });
        expect(await storage.roster.changesSince(ALICE, 4)).toEqual({ version: 5, changes: [{ jid: a2.jid, item: a2 }] });
      });

      it('from the current version is empty', async () => {
        expect(await storage.roster.changesSince(ALICE, 5)).toEqual({ version: 5, changes: [] });
      });

      it('lists a removed-then-re-added contact once, with its item', async () => {
        const d = item('d@example.org', { groups: ['X'] });
        await storage.roster.put(ALICE, item('d@example.org')); // 6
        await storage.roster.remove(ALICE, 'd@example.org'); // 7
        await storage.roster.put(ALICE, d); // 8
        expect(await storage.roster.changesSince(ALICE, 5)).toEqual({ version: 8, changes: [{ jid: d.jid, item: d }] });
        expect(await storage.roster.changesSince(ALICE, 0)).toEqual({
          version: 8,
          changes: [{ jid: c.jid, item: c }, { jid: b.jid }, { jid: a2.jid, item: a2 }, { jid: d.jid, item: d }],
        });
      });

      it('is undefined for a future, negative or non-integer version', async () => {
        for (const v of [6, 1000, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          expect(await storage.roster.changesSince(ALICE, v)).toBeUndefined();
        }
        expect(await storage.roster.changesSince(BOB, 1)).toBeUndefined();
      });
    });

    it('keeps accounts apart', async () => {
      await storage.roster.put(ALICE, item('x@example.org', { name: 'for alice' }));
      await storage.roster.put(ALICE, item('y@example.org'));
      await storage.roster.put(BOB, item('x@example.org', { name: 'for bob' }));
      await storage.roster.addPendingIn(ALICE, request('p@example.org'), ROOMY);

      expect((await storage.roster.getItem(BOB, 'x@example.org'))?.name).toBe('for bob');
      expect(await storage.roster.getItem(BOB, 'y@example.org')).toBeUndefined();
      expect(await storage.roster.get(BOB)).toEqual({ version: 1, items: [item('x@example.org', { name: 'for bob' })] });
      expect(await storage.roster.count(ALICE)).toBe(2);
      expect(await storage.roster.count(BOB)).toBe(1);
      expect(await storage.roster.remove(BOB, 'y@example.org')).toBeUndefined();
      expect(await storage.roster.changesSince(BOB, 0)).toEqual({
        version: 1,
        changes: [{ jid: 'x@example.org', item: item('x@example.org', { name: 'for bob' }) }],
      });
      expect(await storage.roster.pendingIn(BOB)).toEqual([]);
    });

    it('counts live items only', async () => {
      await storage.roster.put(ALICE, item('a@example.org'));
      await storage.roster.put(ALICE, item('b@example.org'));
      await storage.roster.put(ALICE, item('a@example.org', { name: 'again' }));
      expect(await storage.roster.count(ALICE)).toBe(2);
      await storage.roster.remove(ALICE, 'a@example.org');
      expect(await storage.roster.count(ALICE)).toBe(1);
    });

    it('hands out copies and keeps none of what it is given', async () => {
      const input = item('a@example.org', { groups: ['G'] });
      await storage.roster.put(ALICE, input);
      input.groups.push('mutated');
      input.name = 'mutated';
      const expected = item('a@example.org', { groups: ['G'] });
      const out = await storage.roster.getItem(ALICE, 'a@example.org');
      out?.groups.push('mutated');
      (await storage.roster.get(ALICE)).items[0]?.groups.push('mutated');
      (await storage.roster.changesSince(ALICE, 0))?.changes[0]?.item?.groups.push('mutated');
      expect(await storage.roster.getItem(ALICE, 'a@example.org')).toEqual(expected);
    });

    it('adds, replaces, lists in arrival order and removes pending inbound requests', async () => {
      const first = request('p@example.org', { status: 'hi \u{1F600} & <you>', nick: 'Pat' });
      expect(await storage.roster.addPendingIn(ALICE, first, ROOMY)).toBe(true);
      expect(await storage.roster.addPendingIn(ALICE, request('q@example.org'), ROOMY)).toBe(true);
      expect(await storage.roster.pendingIn(ALICE)).toEqual([first, request('q@example.org')]);
      expect(await storage.roster.hasPendingIn(ALICE, 'p@example.org')).toBe(true);
      expect(await storage.roster.hasPendingIn(ALICE, 'r@example.org')).toBe(false);
      expect(await storage.roster.hasPendingIn(BOB, 'p@example.org')).toBe(false);
      // A repeated request replaces the earlier one but keeps its place; absent fields stay absent.
      expect(await storage.roster.addPendingIn(ALICE, request('p@example.org', { status: 'again' }), ROOMY)).toBe(true);
      const listed = await storage.roster.pendingIn(ALICE);
      expect(listed).toEqual([request('p@example.org', { status: 'again' }), request('q@example.org')]);
      expect('nick' in listed[0]!).toBe(false);
      expect(await storage.roster.removePendingIn(ALICE, 'p@example.org')).toBe(true);
      expect(await storage.roster.removePendingIn(ALICE, 'p@example.org')).toBe(false);
      expect(await storage.roster.removePendingIn(BOB, 'q@example.org')).toBe(false);
      expect(await storage.roster.pendingIn(ALICE)).toEqual([request('q@example.org')]);
      // Pending requests are not roster items.
      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
    });

    it('refuses a new pending request beyond the count limit, per account; a repeat still replaces', async () => {
      const limits: PendingLimits = { maxCount: 2, maxBytes: 1024 * 1024 };
      expect(await storage.roster.addPendingIn(ALICE, request('a@x.example'), limits)).toBe(true);
      expect(await storage.roster.addPendingIn(ALICE, request('b@x.example'), limits)).toBe(true);
      expect(await storage.roster.addPendingIn(ALICE, request('c@x.example'), limits)).toBe(false);
      expect(await storage.roster.addPendingIn(ALICE, request('a@x.example', { status: 'again' }), limits)).toBe(true);
      expect(await storage.roster.addPendingIn(BOB, request('c@x.example'), limits)).toBe(true);
      expect(await storage.roster.pendingIn(ALICE)).toEqual([request('a@x.example', { status: 'again' }), request('b@x.example')]);
      // Answering one makes room.
      await storage.roster.removePendingIn(ALICE, 'b@x.example');
      expect(await storage.roster.addPendingIn(ALICE, request('c@x.example'), limits)).toBe(true);
    });

    it('counts the UTF-8 bytes of what is kept against the byte limit, a replaced request only once', async () => {
      const small = request('a@x.example', { status: '\u00e9'.repeat(10) }); // 11 + 20 bytes
      expect(pendingRequestBytes(small)).toBe(31);
      const limits: PendingLimits = { maxCount: 100, maxBytes: 62 };
      expect(await storage.roster.addPendingIn(ALICE, small, limits)).toBe(true);
      expect(await storage.roster.addPendingIn(ALICE, request('b@x.example', { nick: 'x'.repeat(20) }), limits)).toBe(true); // 31: exactly full
      expect(await storage.roster.addPendingIn(ALICE, request('c@x.example'), limits)).toBe(false);
      // Replacing a's request with a larger one must fit without counting the old one.
      expect(await storage.roster.addPendingIn(ALICE, request('a@x.example', { status: 'e'.repeat(20) }), limits)).toBe(true);
      expect(await storage.roster.addPendingIn(ALICE, request('a@x.example', { status: 'e'.repeat(21) }), limits)).toBe(false);
      expect((await storage.roster.pendingIn(ALICE))[0]).toEqual(request('a@x.example', { status: 'e'.repeat(20) }));
    });

    it('deleteAccount removes items, history and pending requests of that account only', async () => {
      await storage.roster.put(ALICE, item('a@example.org'));
      await storage.roster.put(ALICE, item('b@example.org'));
      await storage.roster.remove(ALICE, 'b@example.org');
      await storage.roster.addPendingIn(ALICE, request('p@example.org'), ROOMY);
      await storage.roster.put(BOB, item('a@example.org'));
      await storage.roster.addPendingIn(BOB, request('p@example.org', { status: 'hello' }), ROOMY);

      await storage.roster.deleteAccount(ALICE);
      await storage.roster.deleteAccount('never@example.org');

      expect(await storage.roster.get(ALICE)).toEqual({ version: 0, items: [] });
      expect(await storage.roster.getItem(ALICE, 'a@example.org')).toBeUndefined();
      expect(await storage.roster.count(ALICE)).toBe(0);
      expect(await storage.roster.changesSince(ALICE, 0)).toEqual({ version: 0, changes: [] });
      expect(await storage.roster.pendingIn(ALICE)).toEqual([]);
      // A later account under the same JID starts from scratch.
      expect(await storage.roster.put(ALICE, item('c@example.org'))).toBe(1);

      expect(await storage.roster.get(BOB)).toEqual({ version: 1, items: [item('a@example.org')] });
      expect(await storage.roster.pendingIn(BOB)).toEqual([request('p@example.org', { status: 'hello' })]);
    });
  });
}
