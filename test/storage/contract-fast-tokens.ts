// Contract for FastTokenRepository (XEP-0484 token slots). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { FastToken, Storage } from '../../src/storage/types.js';

const A = 'alice@example.org';
const token = (seed: string, over: Partial<FastToken> = {}): Omit<FastToken, 'slot'> => ({
  account: A,
  client: 'phone',
  mechanism: 'HT-SHA-256-NONE',
  seed: Buffer.from(seed),
  issuedAt: 1000,
  expiresAt: 2000,
  ...over,
});

export function runFastTokenContract(current: () => Storage): void {
  describe('fastTokens', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('issues into the new slot; a second issue replaces the unused one', async () => {
      await storage.fastTokens.issue(token('s1'));
      await storage.fastTokens.issue(token('s2', { expiresAt: 3000 }));
      const slots = await storage.fastTokens.get(A, 'phone');
      expect(slots).toHaveLength(1);
      expect(slots[0]).toMatchObject({ slot: 'new', expiresAt: 3000, mechanism: 'HT-SHA-256-NONE' });
      expect(slots[0]!.seed.toString()).toBe('s2');
    });

    it('promotes new to current, replacing the older current; only the new seed promotes', async () => {
      await storage.fastTokens.issue(token('s1'));
      expect(await storage.fastTokens.promote(A, 'phone', Buffer.from('s1'))).toBe(true);
      await storage.fastTokens.issue(token('s2'));
      expect(await storage.fastTokens.promote(A, 'phone', Buffer.from('wrong'))).toBe(false);
      expect((await storage.fastTokens.get(A, 'phone')).map((t) => [t.slot, t.seed.toString()])).toEqual([['current', 's1'], ['new', 's2']]);
      expect(await storage.fastTokens.promote(A, 'phone', Buffer.from('s2'))).toBe(true);
      expect((await storage.fastTokens.get(A, 'phone')).map((t) => [t.slot, t.seed.toString()])).toEqual([['current', 's2']]);
      // Already current: nothing to promote.
      expect(await storage.fastTokens.promote(A, 'phone', Buffer.from('s2'))).toBe(false);
    });

    it('keeps clients and accounts apart; revokes one client or the whole account', async () => {
      await storage.fastTokens.issue(token('p'));
      await storage.fastTokens.issue(token('l', { client: 'laptop' }));
      await storage.fastTokens.promote(A, 'laptop', Buffer.from('l'));
      await storage.fastTokens.issue(token('l2', { client: 'laptop' }));
      await storage.fastTokens.issue(token('b', { account: 'bob@example.org' }));
      expect((await storage.fastTokens.list(A)).map((t) => `${t.client}/${t.slot}`)).toEqual(['laptop/current', 'laptop/new', 'phone/new']);
      expect(await storage.fastTokens.revoke(A, 'laptop')).toBe(2);
      expect(await storage.fastTokens.get(A, 'laptop')).toEqual([]);
      expect(await storage.fastTokens.revoke(A)).toBe(1);
      expect(await storage.fastTokens.list(A)).toEqual([]);
      expect(await storage.fastTokens.revoke(A)).toBe(0);
      expect(await storage.fastTokens.list('bob@example.org')).toHaveLength(1);
    });

    it('returns copies: changing a returned seed changes nothing stored', async () => {
      await storage.fastTokens.issue(token('s1'));
      const [t] = await storage.fastTokens.get(A, 'phone');
      t!.seed.fill(0);
      expect((await storage.fastTokens.get(A, 'phone'))[0]!.seed.toString()).toBe('s1');
    });
  });
}
