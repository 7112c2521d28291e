import { describe, expect, it } from 'vitest';
import { accountDelayMs, createInProcessAccountGuard } from '../../src/auth/account-guard.js';
import type { Clock } from '../../src/util/clock.js';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

const ACCOUNT = 'alice@example.org';

describe('createInProcessAccountGuard', () => {
  it('locks after the allowance, only for addresses that failed, whatever the credentials', async () => {
    const guard = createInProcessAccountGuard({ failuresToLock: 3, lockSeconds: 60, clock: fakeClock() });
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'b', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect(await guard.settle(ACCOUNT, 'a', true)).toMatchObject({ kind: 'locked', retryAfterSeconds: 60 });
    expect((await guard.settle(ACCOUNT, 'b', false)).kind).toBe('locked');
    expect((await guard.settle(ACCOUNT, 'c', true)).kind).toBe('accepted');
    // Other accounts are not affected.
    expect((await guard.settle('bob@example.org', 'a', true)).kind).toBe('accepted');
  });

  it('after a lock ends one more failure locks again, until a lock period passes without failures', async () => {
    const clock = fakeClock();
    const guard = createInProcessAccountGuard({ failuresToLock: 2, lockSeconds: 60, clock });
    await guard.settle(ACCOUNT, 'a', false);
    await guard.settle(ACCOUNT, 'a', false);
    clock.advance(60_000);
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('locked');
    clock.advance(120_000);
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('accepted');
  });

  it('a success clears its address but not the count, so logging in between guesses buys none', async () => {
    const guard = createInProcessAccountGuard({ failuresToLock: 3, lockSeconds: 60, clock: fakeClock() });
    await guard.settle(ACCOUNT, 'a', false);
    await guard.settle(ACCOUNT, 'a', false);
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('accepted');
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('locked');
  });

  it('delays each further failure of an account exponentially, up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 40].map(accountDelayMs)).toEqual([0, 500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
  });

  it('forgets the least recently failing account beyond maxAccounts', async () => {
    const guard = createInProcessAccountGuard({ failuresToLock: 1, lockSeconds: 60, clock: fakeClock(), maxAccounts: 2 });
    await guard.settle('x@d', 'a', false);
    await guard.settle('y@d', 'a', false);
    await guard.settle('z@d', 'a', false);
    expect((await guard.settle('x@d', 'a', true)).kind).toBe('accepted');
    expect((await guard.settle('z@d', 'a', true)).kind).toBe('locked');
  });
});
