// Contract for BlocklistRepository (XEP-0191) and AbuseReportRepository (XEP-0377). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AbuseReport, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';

const report = (reporter: string, reported: string, extra: Partial<AbuseReport> = {}): Omit<AbuseReport, 'id'> => ({
  reporter,
  reported,
  reason: 'urn:xmpp:reporting:spam',
  stanzaIds: [],
  reportedAt: 1_700_000_000_000,
  ...extra,
});

export function runBlockingContract(current: () => Storage): void {
  describe('blocklists', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('blocks JIDs once each, per account, listed in JID order', async () => {
      expect(await storage.blocklists.block(ALICE, ['spam.example', 'eve@evil.example/phone', 'eve@evil.example'], 10)).toEqual(['spam.example', 'eve@evil.example/phone', 'eve@evil.example']);
      expect(await storage.blocklists.block(ALICE, ['eve@evil.example', 'mallory@evil.example', 'mallory@evil.example'], 10)).toEqual(['mallory@evil.example']);
      expect(await storage.blocklists.list(ALICE)).toEqual(['eve@evil.example', 'eve@evil.example/phone', 'mallory@evil.example', 'spam.example']);
      expect(await storage.blocklists.list(BOB)).toEqual([]);
    });

    it('adds all or nothing when the list would exceed its limit', async () => {
      expect(await storage.blocklists.block(ALICE, ['a@x.example', 'b@x.example'], 3)).toEqual(['a@x.example', 'b@x.example']);
      expect(await storage.blocklists.block(ALICE, ['c@x.example', 'd@x.example'], 3)).toBe('full');
      // JIDs already listed do not count twice.
      expect(await storage.blocklists.block(ALICE, ['a@x.example', 'c@x.example'], 3)).toEqual(['c@x.example']);
      expect(await storage.blocklists.list(ALICE)).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
    });

    it('concurrent blocks cannot together exceed the limit', async () => {
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => storage.blocklists.block(ALICE, [`${name}@x.example`], 3)));
      expect(results.filter((r) => r !== 'full')).toHaveLength(3);
      expect(await storage.blocklists.list(ALICE)).toHaveLength(3);
    });

    it('unblocks the JIDs given, reporting those that were listed', async () => {
      await storage.blocklists.block(ALICE, ['a@x.example', 'b@x.example', 'x.example'], 10);
      await storage.blocklists.block(BOB, ['a@x.example'], 10);
      expect(await storage.blocklists.unblock(ALICE, ['a@x.example', 'z@x.example'])).toEqual(['a@x.example']);
      expect(await storage.blocklists.list(ALICE)).toEqual(['b@x.example', 'x.example']);
      expect(await storage.blocklists.unblockAll(ALICE)).toEqual(['b@x.example', 'x.example']);
      expect(await storage.blocklists.list(ALICE)).toEqual([]);
      expect(await storage.blocklists.list(BOB)).toEqual(['a@x.example']);
    });
  });

  describe('abuseReports', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('stores reports with text and stanza-ids, oldest first, filtered by the reporter domain', async () => {
      const first = await storage.abuseReports.add(report(ALICE, 'eve@evil.example', { text: 'Ça suffit', stanzaIds: ['s1', 's2'] }), 10);
      const second = await storage.abuseReports.add(report('carol@other.example', 'eve@evil.example', { reason: 'urn:xmpp:reporting:abuse' }), 10);
      expect(first).toBeTypeOf('number');
      expect(second).toBeGreaterThan(first!);
      expect(await storage.abuseReports.list()).toEqual([
        { id: first, reporter: ALICE, reported: 'eve@evil.example', reason: 'urn:xmpp:reporting:spam', text: 'Ça suffit', stanzaIds: ['s1', 's2'], reportedAt: 1_700_000_000_000 },
        { id: second, reporter: 'carol@other.example', reported: 'eve@evil.example', reason: 'urn:xmpp:reporting:abuse', stanzaIds: [], reportedAt: 1_700_000_000_000 },
      ]);
      expect((await storage.abuseReports.list({ domain: 'other.example' })).map((r) => r.id)).toEqual([second]);
      expect((await storage.abuseReports.list({ ids: [second!, 9999] })).map((r) => r.id)).toEqual([second]);
    });

    it('refuses a report beyond the per-reporter limit', async () => {
      expect(await storage.abuseReports.add(report(ALICE, 'a@evil.example'), 2)).toBeTypeOf('number');
      expect(await storage.abuseReports.add(report(ALICE, 'b@evil.example'), 2)).toBeTypeOf('number');
      expect(await storage.abuseReports.add(report(ALICE, 'c@evil.example'), 2)).toBeUndefined();
      expect(await storage.abuseReports.add(report(BOB, 'c@evil.example'), 2)).toBeTypeOf('number');
      expect(await storage.abuseReports.list()).toHaveLength(3);
    });

    it('clears by id, by domain, or all', async () => {
      const a = await storage.abuseReports.add(report(ALICE, 'a@evil.example'), 10);
      await storage.abuseReports.add(report(ALICE, 'b@evil.example'), 10);
      await storage.abuseReports.add(report('carol@other.example', 'b@evil.example'), 10);
      await storage.abuseReports.add(report('dave@third.example', 'b@evil.example'), 10);
      // An id outside the domain asked for stays.
      expect(await storage.abuseReports.clear({ ids: [a!], domain: 'other.example' })).toBe(0);
      expect(await storage.abuseReports.clear({ ids: [a!] })).toBe(1);
      expect(await storage.abuseReports.clear({ domain: 'example.org' })).toBe(1);
      expect((await storage.abuseReports.list()).map((r) => r.reporter)).toEqual(['carol@other.example', 'dave@third.example']);
      expect(await storage.abuseReports.clear()).toBe(2);
      expect(await storage.abuseReports.list()).toEqual([]);
    });
  });
}
