// XEP-0191 "JID Matching" (the order of XEP-0016 §2.1), and the blocklist cache's invalidation.
import { describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import { isBlocked } from '../../../src/modules/blocking/matching.js';
import { createBlocklistCache } from '../../../src/modules/blocking/cache.js';
import { createMemoryStorage } from '../../../src/storage/memory/memory-storage.js';

const blocked = (entries: string[], jid: string): boolean => isBlocked(new Set(entries), parseJid(jid));

describe('XEP-0191 JID matching', () => {
  it('user@domain/resource: only that resource matches', () => {
    expect(blocked(['eve@evil.example/phone'], 'eve@evil.example/phone')).toBe(true);
    expect(blocked(['eve@evil.example/phone'], 'eve@evil.example/laptop')).toBe(false);
    expect(blocked(['eve@evil.example/phone'], 'eve@evil.example')).toBe(false);
  });

  it('user@domain: the bare JID and any of its resources match', () => {
    expect(blocked(['eve@evil.example'], 'eve@evil.example')).toBe(true);
    expect(blocked(['eve@evil.example'], 'eve@evil.example/any')).toBe(true);
    expect(blocked(['eve@evil.example'], 'adam@evil.example')).toBe(false);
    expect(blocked(['eve@evil.example'], 'evil.example')).toBe(false);
  });

  it('domain/resource: only that resource of the domain matches', () => {
    expect(blocked(['evil.example/bot'], 'evil.example/bot')).toBe(true);
    expect(blocked(['evil.example/bot'], 'evil.example')).toBe(false);
    expect(blocked(['evil.example/bot'], 'eve@evil.example/bot')).toBe(false);
  });

  it('domain: the domain, its users and resources, and its subdomains match', () => {
    for (const jid of ['evil.example', 'eve@evil.example', 'eve@evil.example/r', 'evil.example/r', 'muc.evil.example', 'room@muc.evil.example/nick']) {
      expect(blocked(['evil.example'], jid)).toBe(true);
    }
    expect(blocked(['evil.example'], 'notevil.example')).toBe(false);
    expect(blocked(['evil.example'], 'evil.example.org')).toBe(false);
    // IP literals have no parent domains.
    expect(blocked(['0.1'], '10.0.0.1')).toBe(false);
  });

  it('an empty list blocks nothing', () => {
    expect(blocked([], 'eve@evil.example')).toBe(false);
  });
});

describe('blocklist cache', () => {
  it('loads once, serves the copy until invalidated, then reloads from storage', async () => {
    const storage = createMemoryStorage();
    let loads = 0;
    const counting = { ...storage.blocklists, list: (account: string) => (loads++, storage.blocklists.list(account)) };
    const cache = createBlocklistCache(counting, 10);
    expect([...(await cache.get('a@x'))]).toEqual([]);
    await storage.blocklists.block('a@x', ['eve@evil.example'], 10);
    expect([...(await cache.get('a@x'))]).toEqual([]); // a cache, until told
    cache.invalidate('a@x');
    expect([...(await cache.get('a@x'))]).toEqual(['eve@evil.example']);
    expect(loads).toBe(2);
  });

  it('keeps at most two generations of `capacity` accounts', async () => {
    const storage = createMemoryStorage();
    let loads = 0;
    const cache = createBlocklistCache({ ...storage.blocklists, list: (account: string) => (loads++, storage.blocklists.list(account)) }, 2);
    for (const account of ['a', 'b', 'c', 'd', 'e']) await cache.get(account);
    expect(loads).toBe(5);
    await cache.get('e');
    await cache.get('d');
    expect(loads).toBe(5);
    await cache.get('a'); // dropped two generations ago
    expect(loads).toBe(6);
  });
});
