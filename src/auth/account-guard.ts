// Per-account defence against password guessing, across connections and addresses. The
// per-address throttle delays each reply, but parallel connections wait out their delays side by
// side; what stops them is counting failures per account and, past limits.authFailuresPerAccount,
// locking the account for limits.authLockSeconds — only against addresses that have failed on it,
// so the real user, logging in from an address that has not failed, is never locked out.
//
// This is a seam: several nodes serving one domain would share one guard (e.g. in Redis), so
// the whole decision is one Promise-returning call that an implementation can make atomic.
import type { Clock } from '../util/clock.js';

export type AccountVerdict =
  /** The credentials were right and the account is not locked for this address. */
  | { kind: 'accepted' }
  /** Wrong credentials: answer after `delayMs`. */
  | { kind: 'rejected'; delayMs: number }
  /** Locked for this address: refused whatever the credentials were, after `delayMs`. */
  | { kind: 'locked'; delayMs: number; retryAfterSeconds: number };

export interface AccountGuard {
  /**
   * Settles one authentication of `account` (bare JID) from `addressKey` whose credential check
   * gave `credentialsOk`: records a failure, and answers in one step.
   */
  settle(account: string, addressKey: string, credentialsOk: boolean): Promise<AccountVerdict>;
}

export interface AccountGuardOptions {
  /** Failures of one account (from any address) that lock it. */
  failuresToLock: number;
  lockSeconds: number;
  clock: Clock;
  /** Most accounts tracked; the least recently failing are forgotten first. */
  maxAccounts?: number;
  /** Most failing addresses remembered per account; the least recently failing go first. */
  maxAddressesPerAccount?: number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** Exponential per-account delay: none for a first failure (a typo), then 0.5 s doubling up to 30 s. */
export function accountDelayMs(failures: number): number {
  if (failures < 2) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(failures - 2, 16));
}

interface AccountState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** Address keys that failed on this account, least recently failing first. */
  failedFrom: Set<string>;
}

export function createInProcessAccountGuard({
  failuresToLock,
  lockSeconds,
  clock,
  maxAccounts = 100_000,
  maxAddressesPerAccount = 1_000,
}: AccountGuardOptions): AccountGuard {
  const lockMs = lockSeconds * 1000;
  // Unknown usernames are tracked like real ones: a lock must not tell which accounts exist.
  // Map order is insertion order; re-inserting on each failure makes the first key the least
  // recently failing account, which is the one evicted.
  const accounts = new Map<string, AccountState>();

  /** The account's state; forgotten once a lock period has passed since its last failure or lock. */
  function live(account: string, now: number): AccountState | undefined {
    const state = accounts.get(account);
    if (state && now >= Math.max(state.lastFailureAt, state.lockedUntil) + lockMs) {
      accounts.delete(account);
      return undefined;
    }
    return state;
  }

  function recordFailure(account: string, addressKey: string, now: number): AccountState {
    const state = live(account, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0, failedFrom: new Set<string>() };
    accounts.delete(account);
    state.failures += 1;
    state.lastFailureAt = now;
    state.failedFrom.delete(addressKey);
    state.failedFrom.add(addressKey);
    if (state.failedFrom.size > maxAddressesPerAccount) state.failedFrom.delete(state.failedFrom.values().next().value!);
    // Past the allowance every failure (re)locks: after a lock ends, one more failure is enough.
    if (state.failures >= failuresToLock) state.lockedUntil = now + lockMs;
    while (accounts.size >= maxAccounts) accounts.delete(accounts.keys().next().value!);
    accounts.set(account, state);
    return state;
  }

  return {
    async settle(account, addressKey, credentialsOk) {
      const now = clock.now();
      const state = live(account, now);
      if (state && state.lockedUntil > now && state.failedFrom.has(addressKey)) {
        // The same answer whether the credentials were right: a lock must not confirm a guess.
        return { kind: 'locked', delayMs: accountDelayMs(state.failures), retryAfterSeconds: Math.ceil((state.lockedUntil - now) / 1000) };
      }
      if (credentialsOk) {
        // The owner is at this address: it no longer counts as failing. The failure count stays,
        // so logging in between guesses does not buy anyone more of them.
        state?.failedFrom.delete(addressKey);
        return { kind: 'accepted' };
      }
      return { kind: 'rejected', delayMs: accountDelayMs(recordFailure(account, addressKey, now).failures) };
    },
  };
}
