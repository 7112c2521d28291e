// Stanzas sent with stream management (to a client or a peer server), kept until acknowledged.
import type { Element } from '../../xml/element.js';
import { distance, increment } from './counter.js';

/** `T`: how a stanza is kept (an element, or whatever the owner writes from). */
export class OutboundQueue<T = Element> {
  /** Count of stanzas sent so far, modulo 2^32 (the `h` the client will eventually report). */
  private sentCount: number;
  /** Unacknowledged stanzas, oldest first; the last one has number `sentCount`. */
  private readonly pending: T[] = [];
  /** Their sizes as written (0 when the caller does not count bytes), and the sum. */
  private readonly sizes: number[] = [];
  private pendingBytes = 0;

  constructor(start = 0) {
    this.sentCount = start;
  }

  get sent(): number {
    return this.sentCount;
  }

  get unackedCount(): number {
    return this.pending.length;
  }

  /** Bytes held by the unacknowledged stanzas (as given to push). */
  get unackedBytes(): number {
    return this.pendingBytes;
  }

  /** The client has acknowledged everything up to here. */
  get acked(): number {
    return distance(this.sentCount, this.pending.length);
  }

  push(stanza: T, bytes = 0): void {
    this.sentCount = increment(this.sentCount);
    this.pending.push(stanza);
    this.sizes.push(bytes);
    this.pendingBytes += bytes;
  }

  /**
   * Applies the client's `h`: returns the newly acknowledged stanzas, oldest first, or undefined
   * when `h` acknowledges more than was ever sent (XEP-0198 handled-count-too-high).
   */
  ack(h: number): T[] | undefined {
    const newlyAcked = distance(h, this.acked);
    if (newlyAcked > this.pending.length) return undefined;
    for (const size of this.sizes.splice(0, newlyAcked)) this.pendingBytes -= size;
    return this.pending.splice(0, newlyAcked);
  }

  unacked(): readonly T[] {
    return this.pending;
  }

  /** Empties the queue, returning what was never acknowledged. */
  drain(): T[] {
    this.sizes.length = 0;
    this.pendingBytes = 0;
    return this.pending.splice(0, this.pending.length);
  }

  /**
   * Takes the unacknowledged stanzas back to be sent again (XEP-0198 §5 resumption) and counts
   * them as not sent yet: sending them again gives them the same numbers.
   */
  rewind(): T[] {
    this.sentCount = distance(this.sentCount, this.pending.length);
    return this.drain();
  }
}
