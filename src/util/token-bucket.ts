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

/** A class, not a closure: one lives per connection. */
export class TokenBucket {
  private readonly perMs: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor({ ratePerSecond, burst, clock }: TokenBucketOptions) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError('ratePerSecond must be a positive number');
    if (!(burst > 0) || !Number.isFinite(burst)) throw new RangeError('burst must be a positive number');
    this.perMs = ratePerSecond / 1000;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes `amount` tokens; returns 0 when they were available, else the milliseconds until the debt is repaid. */
  take(amount: number): number {
    if (!(amount >= 0) || !Number.isFinite(amount)) throw new RangeError('amount must be a non-negative number');
    const now = this.clock.now();
    // A clock stepping backwards must not drain the bucket.
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.perMs);
  }
}
