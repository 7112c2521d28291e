// Slows repeated failed logins from one address. Failures are counted over a sliding
// one-minute window; past the allowance each further failure doubles the delay, from
// BASE_DELAY_MS up to MAX_DELAY_MS, and the delay shrinks again as failures age out.
import type { Clock } from '../util/clock.js';

const WINDOW_MS = 60_000;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
// Failures beyond the allowance after which the delay is already capped.
const EXCESS_TO_CAP = Math.ceil(Math.log2(MAX_DELAY_MS / BASE_DELAY_MS)) + 1;

export interface AuthFailureThrottleOptions {
  /** Failures per address tolerated within a minute before delays start. */
  failuresPerMinute: number;
  clock: Clock;
  /** Most addresses tracked; the least recently failing are forgotten first. */
  maxEntries?: number;
}

export interface AuthFailureThrottle {
  /** How long to wait before answering the next attempt from this address. */
  delayMs(address: string): number;
  recordFailure(address: string): void;
}

/** The key failures are counted under (IPv6: per /64); shared with the connection limits. */
export { addressKey as throttleKey } from '../net/address-key.js';

export function createAuthFailureThrottle({
  failuresPerMinute,
  clock,
  maxEntries = 10_000,
}: AuthFailureThrottleOptions): AuthFailureThrottle {
  if (!Number.isInteger(failuresPerMinute) || failuresPerMinute < 0) {
    throw new RangeError('failuresPerMinute must be a non-negative integer');
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');

  // Failure times per address, oldest first. Only the newest failures that can still
  // raise the delay are kept: older ones would leave the window before any kept one,
  // so trimming them never changes the count while it is below the cap.
  const keep = failuresPerMinute + EXCESS_TO_CAP;
  // Map order is insertion order; re-inserting on each failure makes the first key the
  // least recently failing address, which is the one evicted.
  const failures = new Map<string, number[]>();

  function live(address: string, now: number): number[] | undefined {
    const times = failures.get(address);
    if (times === undefined) return undefined;
    let expired = 0;
    while (expired < times.length && (times[expired] ?? 0) <= now - WINDOW_MS) expired++;
    if (expired === times.length) {
      failures.delete(address);
      return undefined;
    }
    if (expired > 0) times.splice(0, expired);
    return times;
  }

  return {
    delayMs(address: string): number {
      const times = live(address, clock.now());
      const excess = (times?.length ?? 0) - failuresPerMinute;
      if (excess <= 0) return 0;
      return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (excess - 1));
    },

    recordFailure(address: string): void {
      const now = clock.now();
      const times = live(address, now) ?? [];
      failures.delete(address);
      times.push(now);
      if (times.length > keep) times.splice(0, times.length - keep);
      while (failures.size >= maxEntries) {
        const oldest = failures.keys().next();
        if (oldest.done === true) break;
        failures.delete(oldest.value);
      }
      failures.set(address, times);
    },

    // A success forgives the address, so a user who mistyped is not penalised later.
    // The cost is that someone holding one valid account can reset their own counter;
    // per-account limits, not this per-address one, must cover that case.
  };
}
