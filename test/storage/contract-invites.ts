// Contract for InviteRepository (XEP-0401/0445/0379 invitations). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Invite, Storage } from '../../src/storage/types.js';

const invite = (id: string, over: Partial<Invite> = {}): Invite => ({
  id,
  tokenHash: `hash-${id}`,
  domain: 'example.org',
  admin: false,
  allowRegistration: true,
  createdAt: 1000,
  expiresAt: 5000,
  ...over,
});

export function runInviteContract(current: () => Storage): void {
  describe('invites', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('stores an invite and finds it by token hash, optional fields included', async () => {
      await storage.invites.create(invite('a', { username: 'dan', contact: 'alice@example.org', admin: true }));
      await storage.invites.create(invite('b', { allowRegistration: false }));
      expect(await storage.invites.byTokenHash('hash-a')).toEqual(invite('a', { username: 'dan', contact: 'alice@example.org', admin: true }));
      expect(await storage.invites.byTokenHash('hash-b')).toEqual(invite('b', { allowRegistration: false }));
      expect(await storage.invites.byTokenHash('nope')).toBeUndefined();
    });

    it('refuses a second invite with the same id or token hash', async () => {
      await storage.invites.create(invite('a'));
      await expect(storage.invites.create(invite('a', { tokenHash: 'other' }))).rejects.toThrow();
      await expect(storage.invites.create(invite('z', { tokenHash: 'hash-a' }))).rejects.toThrow();
    });

    it('redeems once: the second redeemer gets false, even concurrently', async () => {
      await storage.invites.create(invite('a'));
      const outcomes = await Promise.all([storage.invites.redeem('hash-a', 'dan@example.org', 2000), storage.invites.redeem('hash-a', 'eve@example.org', 2000)]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const after = await storage.invites.byTokenHash('hash-a');
      expect(after?.usedAt).toBe(2000);
      expect(['dan@example.org', 'eve@example.org']).toContain(after?.usedBy);
      expect(await storage.invites.redeem('missing', 'dan@example.org', 2000)).toBe(false);
    });

    it('release undoes only the same redeemer', async () => {
      await storage.invites.create(invite('a'));
      expect(await storage.invites.redeem('hash-a', 'dan@example.org', 2000)).toBe(true);
      await storage.invites.release('hash-a', 'eve@example.org');
      expect((await storage.invites.byTokenHash('hash-a'))?.usedBy).toBe('dan@example.org');
      await storage.invites.release('hash-a', 'dan@example.org');
      const after = await storage.invites.byTokenHash('hash-a');
      expect(after?.usedAt).toBeUndefined();
      expect(await storage.invites.redeem('hash-a', 'eve@example.org', 2100)).toBe(true);
    });

    it('a name is reserved only by an unused, unexpired invite on its domain', async () => {
      await storage.invites.create(invite('a', { username: 'dan' }));
      expect(await storage.invites.isReserved('example.org', 'dan', 4999)).toBe(true);
      expect(await storage.invites.isReserved('example.org', 'dan', 5000)).toBe(false);
      expect(await storage.invites.isReserved('example.net', 'dan', 1000)).toBe(false);
      expect(await storage.invites.isReserved('example.org', 'eve', 1000)).toBe(false);
      await storage.invites.redeem('hash-a', 'dan@example.org', 2000);
      expect(await storage.invites.isReserved('example.org', 'dan', 2001)).toBe(false);
    });

    it('lists by creation time, per domain or all; deletes by id', async () => {
      await storage.invites.create(invite('late', { createdAt: 3000 }));
      await storage.invites.create(invite('early', { createdAt: 1000, domain: 'example.net' }));
      expect((await storage.invites.list()).map((i) => i.id)).toEqual(['early', 'late']);
      expect((await storage.invites.list('example.org')).map((i) => i.id)).toEqual(['late']);
      expect(await storage.invites.delete('late')).toBe(true);
      expect(await storage.invites.delete('late')).toBe(false);
      expect((await storage.invites.list()).map((i) => i.id)).toEqual(['early']);
    });

    it('expires unused invites past their time and used ones older than the cut-off', async () => {
      await storage.invites.create(invite('stale', { expiresAt: 1500 }));
      await storage.invites.create(invite('fresh', { expiresAt: 9000 }));
      await storage.invites.create(invite('used-old', { expiresAt: 9000 }));
      await storage.invites.create(invite('used-new', { expiresAt: 9000 }));
      await storage.invites.redeem('hash-used-old', 'a@example.org', 1200);
      await storage.invites.redeem('hash-used-new', 'b@example.org', 3000);
      expect(await storage.invites.expire(2000, 2000)).toBe(2);
      expect((await storage.invites.list()).map((i) => i.id).sort()).toEqual(['fresh', 'used-new']);
    });

    it('deleteAccount removes the invites introducing people to that account', async () => {
      await storage.invites.create(invite('a', { contact: 'alice@example.org' }));
      await storage.invites.create(invite('b', { contact: 'bob@example.org' }));
      await storage.invites.create(invite('c'));
      await storage.invites.deleteAccount('alice@example.org');
      expect((await storage.invites.list()).map((i) => i.id)).toEqual(['b', 'c']);
    });
  });
}
