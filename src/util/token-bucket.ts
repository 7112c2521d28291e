// Token bucket for per-connection byte rates. Tokens are taken even when the bucket runs
// dry, leaving it in debt: the caller has already received the bytes and pays by pausing
// reading, so a single large chunk delays the connection instead of being refused.
import type { Clock } from './clock.js';

export interface TokenBucketOptions {
  /** Tokens added per second (sustained rate). */
  ratePerSecond: number;
  /** Most tokens the bucket holds, i.e. the largest instant burst. */
  burst: number;
  clock: Clock;
}

export interface TokenBucket {
  /** Takes `amount` tokens; returns 0 when they were available, else the milliseconds until the debt is repaid. */
  take(amount: number): number;
}

export function createTokenBucket({ ratePerSecond, burst, clock }: TokenBucketOptions): TokenBucket {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError('ratePerSecond must be a positive number');
  if (!(burst > 0) || !Number.isFinite(burst)) throw new RangeError('burst must be a positive number');
  const perMs = ratePerSecond / 1000;
  let tokens = burst;
  let last = clock.now();

  return {
    take(amount: number): number {
      if (!(amount >= 0) || !Number.isFinite(amount)) throw new RangeError('amount must be a non-negative number');
      const now = clock.now();
      // A clock stepping backwards must not drain the bucket.
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * perMs);
        last = now;
      }
      tokens -= amount;
      return tokens >= 0 ? 0 : Math.ceil(-tokens / perMs);
    },
  };
}
