// When to ask the other side for an acknowledgement (XEP-0198 <r/>): once `every` stanzas went
// out since the last request, or `afterMs` after the first unacknowledged one. A burst then costs
// one request per `every` stanzas, and a lone stanza is still confirmed soon.
import type { OutboundQueue } from './outbound-queue.js';

export interface AckRequestPolicy {
  every: number;
  afterMs: number;
}

export const DEFAULT_ACK_REQUEST_POLICY: AckRequestPolicy = { every: 10, afterMs: 1_000 };

export class AckRequester {
  private timer: NodeJS.Timeout | undefined;
  private sentAtLastRequest = 0;

  /** `request` writes the <r/> if the stream can take it now, and says whether it did. */
  constructor(
    private readonly queue: OutboundQueue<unknown>,
    private readonly request: () => boolean,
    private readonly policy: AckRequestPolicy = DEFAULT_ACK_REQUEST_POLICY,
  ) {}

  /** Call after each stanza pushed onto the queue. */
  stanzaSent(): void {
    // `sent` wraps at 2^32; a smaller value than at the last request means it did.
    if (this.queue.sent - this.sentAtLastRequest >= this.policy.every || this.queue.sent < this.sentAtLastRequest) {
      this.requestNow();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.requestNow(), this.policy.afterMs);
    this.timer.unref();
  }

  requestNow(): void {
    this.stop();
    if (this.queue.unackedCount === 0) return;
    if (this.request()) this.sentAtLastRequest = this.queue.sent;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
