// Contract for OfflineRepository (XEP-0160 queues). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { OfflineMessage, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';

const message = (n: number, extra: Partial<OfflineMessage> = {}): OfflineMessage => ({
  stanzaId: `sid-${n}`,
  stanza: `<message xmlns="jabber:client" to="${ALICE}"><body>${n}</body></message>`,
  storedAt: 1_000 + n,
  ...extra,
});

export function runOfflineContract(current: () => Storage): void {
  describe('offline', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('queues: totals over every account and the fullest first', async () => {
      expect(await storage.offline.queues(5)).toEqual({ accounts: 0, messages: 0, largest: [] });
      for (let n = 1; n <= 3; n++) await storage.offline.store(ALICE, message(n), 10);
      await storage.offline.store(BOB, message(9), 10);
      await storage.offline.store('carol@example.org', message(8), 10);
      expect(await storage.offline.queues(2)).toEqual({
        accounts: 3,
        messages: 5,
        largest: [{ account: ALICE, count: 3 }, { account: BOB, count: 1 }],
      });
      await storage.offline.delete(ALICE, ['sid-1', 'sid-2', 'sid-3']);
      expect((await storage.offline.queues(5)).accounts).toBe(2);
    });

    it('starts empty', async () => {
      expect(await storage.offline.list(ALICE)).toEqual([]);
      expect(await storage.offline.count(ALICE)).toBe(0);
    });

    it('keeps the order messages were stored in, not the order of their ids or stamps', async () => {
      const stored = [message(3, { storedAt: 5 }), message(1, { storedAt: 9 }), message(2, { storedAt: 1 })];
      for (const m of stored) expect(await storage.offline.store(ALICE, m, 10)).toBe('stored');
      expect(await storage.offline.list(ALICE)).toEqual(stored);
    });

    it('lists at most `limit`, oldest first', async () => {
      for (let n = 1; n <= 5; n++) await storage.offline.store(ALICE, message(n), 10);
      expect((await storage.offline.list(ALICE, 2)).map((m) => m.stanzaId)).toEqual(['sid-1', 'sid-2']);
      expect(await storage.offline.list(ALICE, 0)).toEqual([]);
      expect(await storage.offline.list(ALICE, 50)).toHaveLength(5);
    });

    it('keeps the stanza text exact', async () => {
      const text = '<message xmlns="jabber:client"><body>line1\nline2\t\u{1F600} &amp; &lt;x/&gt;</body></message>';
      await storage.offline.store(ALICE, message(1, { stanza: text }), 10);
      expect((await storage.offline.list(ALICE))[0]?.stanza).toBe(text);
    });

    it("a stanza-id already stored is a 'duplicate' and changes nothing", async () => {
      await storage.offline.store(ALICE, message(1), 10);
      expect(await storage.offline.store(ALICE, message(1, { stanza: '<message/>', storedAt: 7 }), 10)).toBe('duplicate');
      expect(await storage.offline.list(ALICE)).toEqual([message(1)]);
    });

    it("is 'full' once the account holds `limit` messages; a duplicate is still reported as such", async () => {
      for (let n = 1; n <= 3; n++) expect(await storage.offline.store(ALICE, message(n), 3)).toBe('stored');
      expect(await storage.offline.store(ALICE, message(4), 3)).toBe('full');
      expect(await storage.offline.store(ALICE, message(2), 3)).toBe('duplicate');
      expect(await storage.offline.count(ALICE)).toBe(3);
      // A smaller limit than what is held is full too; a limit of 0 takes nothing.
      expect(await storage.offline.store(ALICE, message(5), 2)).toBe('full');
      expect(await storage.offline.store(BOB, message(1), 0)).toBe('full');
      // Room again after a delete.
      await storage.offline.delete(ALICE, ['sid-1']);
      expect(await storage.offline.store(ALICE, message(4), 3)).toBe('stored');
    });

    it('deletes a subset and resolves with how many existed', async () => {
      for (let n = 1; n <= 5; n++) await storage.offline.store(ALICE, message(n), 10);
      expect(await storage.offline.delete(ALICE, ['sid-2', 'sid-4', 'sid-9', 'sid-2'])).toBe(2);
      expect((await storage.offline.list(ALICE)).map((m) => m.stanzaId)).toEqual(['sid-1', 'sid-3', 'sid-5']);
      expect(await storage.offline.delete(ALICE, ['sid-2'])).toBe(0);
      expect(await storage.offline.delete(ALICE, [])).toBe(0);
      expect(await storage.offline.delete('nobody@example.org', ['sid-1'])).toBe(0);
      expect(await storage.offline.count(ALICE)).toBe(3);
    });

    it('a deleted stanza-id can be stored again, at the end of the queue', async () => {
      for (let n = 1; n <= 3; n++) await storage.offline.store(ALICE, message(n), 10);
      await storage.offline.delete(ALICE, ['sid-3']);
      await storage.offline.store(ALICE, message(4), 10);
      expect(await storage.offline.store(ALICE, message(3), 10)).toBe('stored');
      expect((await storage.offline.list(ALICE)).map((m) => m.stanzaId)).toEqual(['sid-1', 'sid-2', 'sid-4', 'sid-3']);
    });

    it('keeps accounts apart: ids, limits, deletes', async () => {
      await storage.offline.store(ALICE, message(1), 1);
      expect(await storage.offline.store(BOB, message(1), 1)).toBe('stored');
      expect(await storage.offline.store(BOB, message(2), 1)).toBe('full');
      expect(await storage.offline.delete(BOB, ['sid-1'])).toBe(1);
      expect(await storage.offline.list(ALICE)).toEqual([message(1)]);
      expect(await storage.offline.count(BOB)).toBe(0);
    });

    it('deleteAccount empties that account only', async () => {
      for (let n = 1; n <= 3; n++) await storage.offline.store(ALICE, message(n), 10);
      await storage.offline.store(BOB, message(1), 10);
      await storage.offline.deleteAccount(ALICE);
      await storage.offline.deleteAccount('nobody@example.org');
      expect(await storage.offline.count(ALICE)).toBe(0);
      expect(await storage.offline.list(ALICE)).toEqual([]);
      expect(await storage.offline.list(BOB)).toEqual([message(1)]);
      expect(await storage.offline.store(ALICE, message(1), 10)).toBe('stored');
    });

    it('keeps copies: changing a stored or a listed message afterwards changes nothing stored', async () => {
      const original = message(1);
      await storage.offline.store(ALICE, original, 10);
      original.stanza = 'changed';
      const [listed] = await storage.offline.list(ALICE);
      if (listed) listed.stanza = 'changed';
      expect(await storage.offline.list(ALICE)).toEqual([message(1)]);
    });

    it('concurrent stores of one stanza-id keep it once, and concurrent stores respect the limit', async () => {
      const results = await Promise.all([1, 1, 2, 3, 4].map((n) => storage.offline.store(ALICE, message(n), 3)));
      expect(results.filter((r) => r === 'stored')).toHaveLength(3);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(1);
      expect(results.filter((r) => r === 'full')).toHaveLength(1);
      expect(await storage.offline.count(ALICE)).toBe(3);
    });
  });
}
