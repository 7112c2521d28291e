// Contract for the limits and single-use claims of invites, push, uploads, blocklists and abuse
// reports when two nodes (two storage handles on the same data) write at the same moment: each
// limit holds and no count is lost. Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage, UploadSlot } from '../../src/storage/types.js';
import { ROUNDS, together } from './contract-concurrency.js';

const ALICE = 'alice@example.org';

const slot = (n: number): UploadSlot => ({
  id: `u${n}`,
  owner: ALICE,
  filename: `u${n}.jpg`,
  size: 100,
  contentType: 'image/jpeg',
  putToken: `token-${n}`,
  createdAt: 1_000,
  putDeadline: 301_000,
  expiresAt: 86_401_000,
});

export function runConcurrencyLimitsContract(current: () => readonly [Storage, Storage]): void {
  describe('two writers on one account: service limits', () => {
    let handles: readonly [Storage, Storage];
    beforeEach(() => {
      handles = current();
    });

    it('invites: of concurrent redeemers on two nodes exactly one wins', async () => {
      await handles[0].invites.create({
        id: 'i1',
        tokenHash: 'hash-i1',
        domain: 'example.org',
        admin: false,
        allowRegistration: true,
        createdAt: 1_000,
        expiresAt: 5_000,
      });
      const wins = await together(handles, (storage, n) => storage.invites.redeem('hash-i1', `u${n}@example.org`, 2_000));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = wins.indexOf(true);
      expect((await handles[1].invites.byTokenHash('hash-i1'))?.usedBy).toBe(`u${winner}@example.org`);
    });

    it('push: concurrent due() calls notify once, and the next notification counts every message held back', async () => {
      await handles[0].push.enable(ALICE, { service: 'push.example', node: 'n1', publishOptions: undefined }, 5);
      const due = await together(handles, (storage) => storage.push.due(ALICE, 10_000, 5_000));
      expect(due.flat()).toEqual([{ service: 'push.example', node: 'n1', publishOptions: undefined, count: 1 }]);
      expect(await handles[1].push.due(ALICE, 15_000, 5_000)).toEqual([{ service: 'push.example', node: 'n1', publishOptions: undefined, count: ROUNDS }]);
    });

    it('push: the per-account registration limit holds against concurrent enables', async () => {
      const results = await together(handles, (storage, n) => storage.push.enable(ALICE, { service: 'push.example', node: `n${n}`, publishOptions: undefined }, 3));
      expect(results.filter((r) => r === 'stored')).toHaveLength(3);
      expect(await handles[0].push.list(ALICE)).toHaveLength(3);
    });

    it('uploads: the quota holds against concurrent reservations', async () => {
      const results = await together(handles, (storage, n) => storage.uploads.reserve(slot(n), 450, 1_000));
      expect(results.filter(Boolean)).toHaveLength(4);
    });

    it('blocklists: the limit holds against concurrent blocks', async () => {
      const results = await together(handles, (storage, n) => storage.blocklists.block(ALICE, [`spam${n}@example.com`], 5));
      expect(results.filter((r) => r !== 'full')).toHaveLength(5);
      expect(await handles[1].blocklists.list(ALICE)).toHaveLength(5);
    });

    it('abuse reports: the per-reporter limit holds against concurrent reports, each with its own id', async () => {
      const ids = await together(handles, (storage, n) =>
        storage.abuseReports.add({ reporter: ALICE, reported: `spam${n}@example.com`, reason: 'urn:xmpp:reporting:spam', stanzaIds: [], reportedAt: n }, 3),
      );
      const stored = ids.filter((id) => id !== undefined);
      expect(new Set(stored).size).toBe(3);
      expect(await handles[1].abuseReports.list()).toHaveLength(3);
    });
  });
}
