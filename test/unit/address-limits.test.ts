import { describe, expect, it } from 'vitest';
import { createAddressLimits, isRefusal, type AddressAdmission } from '../../src/net/address-limits.js';

const admitted = (outcome: ReturnType<ReturnType<typeof createAddressLimits>['admit']>): AddressAdmission => {
  if (isRefusal(outcome)) throw new Error(`refused: ${outcome.text}`);
  return outcome;
};

describe('createAddressLimits', () => {
  it('refuses past the unauthenticated cap until one authenticates, then past the connection cap', () => {
    let now = 1_000_000;
    const limits = createAddressLimits({ maxConnectionsPerAddress: 3, maxUnauthenticatedPerAddress: 2, now: () => now });
    const a = admitted(limits.admit('192.0.2.1'));
    admitted(limits.admit('192.0.2.1'));
    const refused = limits.admit('192.0.2.1');
    expect(isRefusal(refused) && refused.first).toBe(true);
    const again = limits.admit('192.0.2.1');
    expect(isRefusal(again) && again.first).toBe(false);
    now += 60_000;
    const aMinuteLater = limits.admit('192.0.2.1');
    expect(isRefusal(aMinuteLater) && aMinuteLater.first).toBe(true);
    limits.authenticated(a);
    admitted(limits.admit('192.0.2.1'));
    const full = limits.admit('192.0.2.1');
    expect(isRefusal(full) && full.text).toMatch(/at most 3/);
    expect(limits.counts('192.0.2.1')).toEqual({ connections: 3, unauthenticated: 2 });
    // Other addresses have their own counts.
    admitted(limits.admit('192.0.2.2'));
  });

  it('counts IPv6 per /64 and IPv4-mapped addresses as IPv4', () => {
    const limits = createAddressLimits({ maxConnectionsPerAddress: 2, maxUnauthenticatedPerAddress: 2 });
    admitted(limits.admit('2001:db8:1:2::1'));
    admitted(limits.admit('2001:db8:1:2:ffff::9'));
    expect(isRefusal(limits.admit('2001:db8:1:2:abcd::1'))).toBe(true);
    admitted(limits.admit('2001:db8:1:3::1'));
    admitted(limits.admit('::ffff:192.0.2.7'));
    expect(limits.counts('192.0.2.7').connections).toBe(1);
  });

  it('releases once, authenticated or not, and forgets an address with no connection left', () => {
    const limits = createAddressLimits({ maxConnectionsPerAddress: 5, maxUnauthenticatedPerAddress: 5 });
    const a = admitted(limits.admit('192.0.2.1'));
    const b = admitted(limits.admit('192.0.2.1'));
    limits.authenticated(b);
    limits.authenticated(b);
    limits.release(a);
    limits.release(a);
    expect(limits.counts('192.0.2.1')).toEqual({ connections: 1, unauthenticated: 0 });
    limits.release(b);
    expect(limits.counts('192.0.2.1')).toEqual({ connections: 0, unauthenticated: 0 });
  });
});
