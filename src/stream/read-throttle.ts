// How fast a peer may send: a token bucket on bytes and one on stanzas. Spending past either
// leaves the bucket in debt (what was read is still handled) and pauses reading until the debt
// is repaid, with one timer however often the limit is hit.
import { TokenBucket } from '../util/token-bucket.js';
import type { Clock } from '../util/clock.js';

export interface ReadRates {
  bytesPerSecond: number;
  /** Unlimited when absent. */
  stanzasPerSecond?: number;
}

/** The reader being throttled (an XmlStream); an object, so no closure per connection. */
export interface Throttled {
  pause(reason: 'rate'): void;
  resume(reason: 'rate'): void;
}

export class ReadThrottle {
  private readonly bytes: TokenBucket;
  private readonly stanzas: TokenBucket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private until = 0;

  constructor(
    rates: ReadRates,
    private readonly clock: Clock,
    private readonly reader: Throttled,
  ) {
    this.bytes = new TokenBucket({ ratePerSecond: rates.bytesPerSecond, burst: rates.bytesPerSecond, clock });
    const perSecond = rates.stanzasPerSecond;
    this.stanzas = perSecond === undefined ? undefined : new TokenBucket({ ratePerSecond: perSecond, burst: perSecond, clock });
  }

  /** `count` bytes were read. */
  read(count: number): void {
    this.throttle(this.bytes.take(count));
  }

  /** A stanza was parsed. */
  stanza(): void {
    if (this.stanzas) this.throttle(this.stanzas.take(1));
  }

  private throttle(waitMs: number): void {
    if (waitMs <= 0) return;
    const until = this.clock.now() + waitMs;
    if (this.timer !== undefined && until <= this.until) return;
    clearTimeout(this.timer);
    this.until = until;
    this.reader.pause('rate');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reader.resume('rate');
    }, waitMs);
    this.timer.unref();
  }
}
