// Stanzas sent with stream management (to a client or a peer server), kept until acknowledged.
import type { Element } from '../../xml/element.js';
import { distance, increment } from './counter.js';

export class OutboundQueue {
  /** Count of stanzas sent so far, modulo 2^32 (the `h` the client will eventually report). */
  private sentCount: number;
  /** Unacknowledged stanzas, oldest first; the last one has number `sentCount`. */
  private readonly pending: Element[] = [];

  constructor(start = 0) {
    this.sentCount = start;
  }

  get sent(): number {
    return this.sentCount;
  }

  get unackedCount(): number {
    return this.pending.length;
  }

  /** The client has acknowledged everything up to here. */
  get acked(): number {
    return distance(this.sentCount, this.pending.length);
  }

  push(stanza: Element): void {
    this.sentCount = increment(this.sentCount);
    this.pending.push(stanza);
  }

  /**
   * Applies the client's `h`: returns the newly acknowledged stanzas, oldest first, or undefined
   * when `h` acknowledges more than was ever sent (XEP-0198 handled-count-too-high).
   */
  ack(h: number): Element[] | undefined {
    const newlyAcked = distance(h, this.acked);
    if (newlyAcked > this.pending.length) return undefined;
    return this.pending.splice(0, newlyAcked);
  }

  unacked(): readonly Element[] {
    return this.pending;
  }

  /** Empties the queue, returning what was never acknowledged. */
  drain(): Element[] {
    return this.pending.splice(0, this.pending.length);
  }
}
