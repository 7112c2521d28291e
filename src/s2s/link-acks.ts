// XEP-0198 on an outgoing server link: each stanza written is kept until the peer acknowledges
// it. When the link dies (reset, silent route, peer restart), what was never acknowledged is
// handed back to be sent again on a fresh link, so a dead socket loses nothing. The peer may
// then see a stanza twice (it handled it, but its <a/> was lost), which XEP-0198 §6 accepts.
import type { Element } from '../xml/element.js';
import { xml } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { parseCounter } from '../stream/stream-management/counter.js';
import { OutboundQueue } from '../stream/stream-management/outbound-queue.js';
import { ackRequest } from '../stream/stream-management/nonzas.js';
import { AckRequester } from '../stream/stream-management/ack-requester.js';

export const enableElement = (): Element => xml('enable', { xmlns: NS.sm });

/** Whether stream features offer XEP-0198 (version 3, the only one we speak). */
export const offersStreamManagement = (features: Element): boolean => features.getChild('sm', NS.sm) !== undefined;

export class LinkAcks {
  private readonly queue = new OutboundQueue();
  private readonly requester: AckRequester;
  private deadline: NodeJS.Timeout | undefined;

  /**
   * `write` puts a nonza on the wire; `onUnresponsive` is called when the peer leaves stanzas
   * unacknowledged for `ackTimeoutMs` after being asked: the route is presumed dead.
   */
  constructor(
    private readonly write: (nonza: Element) => void,
    private readonly onUnresponsive: () => void,
    private readonly ackTimeoutMs: number,
  ) {
    this.requester = new AckRequester(this.queue, () => {
      this.write(ackRequest());
      this.deadline ??= this.startDeadline();
      return true;
    });
  }

  get unackedCount(): number {
    return this.queue.unackedCount;
  }

  /** A stanza was written to the link. */
  sent(stanza: Element): void {
    this.queue.push(stanza);
    this.requester.stanzaSent();
  }

  /** Ask now (before closing an idle link, say): the answer, or the deadline, settles the rest. */
  requestNow(): void {
    this.requester.requestNow();
  }

  /** Applies the peer's <a h/>; false when `h` is malformed or counts more than was sent. */
  acknowledged(h: string | undefined): boolean {
    const count = parseCounter(h);
    if (count === undefined || this.queue.ack(count) === undefined) return false;
    clearTimeout(this.deadline);
    // Progress: what remains gets a fresh deadline (its request is pending or on its way).
    this.deadline = this.queue.unackedCount > 0 ? this.startDeadline() : undefined;
    return true;
  }

  /** Stops timers and returns the stanzas never acknowledged, oldest first. */
  takeUnacked(): Element[] {
    this.stop();
    return this.queue.drain();
  }

  stop(): void {
    this.requester.stop();
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private startDeadline(): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.deadline = undefined;
      if (this.queue.unackedCount > 0) this.onUnresponsive();
    }, this.ackTimeoutMs);
    timer.unref();
    return timer;
  }
}
