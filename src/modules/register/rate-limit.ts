// Sliding-window limit on account creation per remote address (XEP-0077 §10: a deployment
// decides how open in-band registration is; unthrottled, one client can mint accounts in bulk).
import type { Clock } from '../../util/clock.js';

export interface RateLimiter {
  /** Records an attempt for key; false when the key is already at its limit (nothing recorded). */
  take(key: string): boolean;
}

const SWEEP_EVERY = 256;

export function createRateLimiter(options: { limit: number; windowMs: number; clock: Clock }): RateLimiter {
  const { limit, windowMs, clock } = options;
  const attempts = new Map<string, number[]>();
  let calls = 0;

  const recent = (times: number[], now: number) => times.filter((t) => now - t < windowMs);

  // Addresses that stopped trying would otherwise stay in the map forever.
  function sweep(now: number): void {
    for (const [key, times] of attempts) {
      const kept = recent(times, now);
      if (kept.length === 0) attempts.delete(key);
      else attempts.set(key, kept);
    }
  }

  return {
    take(key) {
      const now = clock.now();
      if (++calls % SWEEP_EVERY === 0) sweep(now);
      const times = recent(attempts.get(key) ?? [], now);
      if (times.length >= limit) {
        attempts.set(key, times);
        return false;
      }
      times.push(now);
      attempts.set(key, times);
      return true;
    },
  };
}
