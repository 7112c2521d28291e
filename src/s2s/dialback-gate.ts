// Per-stream guard for dialback requests (XEP-0220 <db:result/>): each new request makes Herald
// connect to the claimed domain's authoritative server, so an unauthenticated peer must not be
// able to make it dial out at will (300 requests in 4 s once meant 300 connections). A stream
// may have at most `maxPendingPerStream` distinct requests awaiting verification and send at
// most `requestsPerMinute` requests; a request identical to one pending costs nothing more.
import { TokenBucket } from '../util/token-bucket.js';
import type { Clock } from '../util/clock.js';

export interface DialbackLimits {
  maxPendingPerStream: number;
  requestsPerMinute: number;
}

/** `rate`: over the per-minute budget; `full`: too many pending; `shared`: same as one pending. */
export type Admission = 'admitted' | 'shared' | 'full' | 'rate';

export class DialbackGate {
  private readonly pending = new Set<string>();
  private readonly budget: TokenBucket;

  constructor(
    readonly limits: DialbackLimits,
    clock: Clock,
  ) {
    this.budget = new TokenBucket({ ratePerSecond: limits.requestsPerMinute / 60, burst: limits.requestsPerMinute, clock });
  }

  /** Decides on one request; an `admitted` one is pending until `done`. */
  admit(request: string): Admission {
    if (this.budget.take(1) > 0) return 'rate';
    if (this.pending.has(request)) return 'shared';
    if (this.pending.size >= this.limits.maxPendingPerStream) return 'full';
    this.pending.add(request);
    return 'admitted';
  }

  done(request: string): void {
    this.pending.delete(request);
  }
}
