import { describe, expect, it } from 'vitest';
import { accountDelayMs, createInProcessAccountGuard } from '../../src/auth/account-guard.js';
import { accountGuardContract, fakeClock } from '../contracts/account-guard.js';

const ACCOUNT = 'alice@example.org';

describe('createInProcessAccountGuard', () => {
  accountGuardContract(createInProcessAccountGuard);

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
