// The account guard's rules (auth/account-guard.ts), run against every implementation: the
// in-process one (test/unit) and the Redis one shared by cluster nodes (test/cluster).
import { expect, it } from 'vitest';
import type { AccountGuard, AccountGuardOptions } from '../../src/auth/account-guard.js';
import type { Clock } from '../../src/util/clock.js';

export function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

const ACCOUNT = 'alice@example.org';

export function accountGuardContract(createGuard: (options: AccountGuardOptions) => AccountGuard | Promise<AccountGuard>): void {
  it('locks after the allowance, only for addresses that failed, whatever the credentials', async () => {
    const guard = await createGuard({ failuresToLock: 3, lockSeconds: 60, clock: fakeClock() });
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
    const guard = await createGuard({ failuresToLock: 2, lockSeconds: 60, clock });
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
    const guard = await createGuard({ failuresToLock: 3, lockSeconds: 60, clock: fakeClock() });
    await guard.settle(ACCOUNT, 'a', false);
    await guard.settle(ACCOUNT, 'a', false);
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('accepted');
    expect((await guard.settle(ACCOUNT, 'a', false)).kind).toBe('rejected');
    expect((await guard.settle(ACCOUNT, 'a', true)).kind).toBe('locked');
  });

}
