// XEP-0198 for one client session: enable (with or without resumption), <r/>/<a/> both ways,
// the count of handled inbound stanzas, and the queue of unacknowledged outbound ones.
import type { Element } from '../../xml/element.js';
import type { OutgoingStanza } from '../../xml/serialized-stanza.js';
import { StreamError } from '../../protocol/stream-error.js';
import type { C2sContext } from '../c2s-context.js';
import type { ClientSession } from '../client-session.js';
import { parseCounter } from '../../stream/stream-management/counter.js';
import { HandledCount } from '../../stream/stream-management/handled-count.js';
import { OutboundQueue } from '../../stream/stream-management/outbound-queue.js';
import { ackAnswer, ackRequest, enabled, failed, resumed } from '../../stream/stream-management/nonzas.js';
import { AckRequester } from '../../stream/stream-management/ack-requester.js';

export class StreamManagement {
  private queue: OutboundQueue<OutgoingStanza> | undefined;
  private readonly inbound = new HandledCount();
  private resumeId: string | undefined;
  private requester: AckRequester | undefined;

  constructor(
    private readonly ctx: C2sContext,
    private readonly session: ClientSession,
  ) {}

  get enabled(): boolean {
    return this.queue !== undefined;
  }

  get resumable(): boolean {
    return this.resumeId !== undefined;
  }

  get unackedCount(): number {
    return this.queue?.unackedCount ?? 0;
  }

  get unackedBytes(): number {
    return this.queue?.unackedBytes ?? 0;
  }

  /** A stanza written to the client (`bytes` long): keep it until acknowledged. */
  track(stanza: OutgoingStanza, bytes: number): void {
    if (!this.queue) return;
    this.queue.push(stanza, bytes);
    this.requester!.stanzaSent();
  }

  /** One inbound stanza fully processed; with `after`, counted once that resolves, in order. */
  handled(after?: Promise<void>): void {
    if (this.queue) this.inbound.handled(after);
  }

  /** Resolves once every stanza handled so far is counted. */
  counted(): Promise<void> {
    return this.inbound.settled();
  }

  /**
   * XEP-0198 §4: the <a/> for an <r/> covers every stanza before it; those still on their way to
   * another node are counted first. The session goes on meanwhile (answers stay in order).
   */
  private answerWhenCounted(): void {
    const counting = this.inbound.counting;
    if (!counting) this.session.writeNonza(ackAnswer(this.inbound.value));
    else void counting.then(() => this.session.writeNonza(ackAnswer(this.inbound.value)));
  }

  async handleNonza(element: Element): Promise<void> {
    switch (element.name) {
      case 'enable':
        this.session.writeNonza(this.enable(element));
        return;
      case 'r':
        if (!this.queue) return this.notEnabled();
        this.answerWhenCounted();
        return;
      case 'a':
        if (!this.queue) return this.notEnabled();
        return this.applyAck(parseCounter(element.attrs.h));
      case 'resume':
        // A bound session cannot resume another one (XEP-0198 §5: resume replaces binding).
        this.session.writeNonza(failed('unexpected-request', this.queue ? this.inbound.value : undefined));
        return;
      default:
        this.session.close(new StreamError('unsupported-stanza-type', `<${element.name}/> is not a stream management element`));
    }
  }

  /**
   * After a new connection took over: acknowledge up to `h` and confirm with <resumed/>
   * (`announce` wraps it when it travels inside a SASL2 <success/>, followed by features).
   */
  async resumeWith(h: number, announce: (resumed: Element) => Element[] = (e) => [e]): Promise<boolean> {
    if (!this.queue || !this.resumeId) return false;
    await this.counted();
    const acked = this.queue.ack(h);
    if (!acked) return false;
    for (const element of announce(resumed(this.resumeId, this.inbound.value))) this.session.writeNonza(element);
    await this.confirm(acked);
    return true;
  }

  /** After <resumed/>: what the client has not confirmed, to be written again in order. */
  rewind(): OutgoingStanza[] {
    return this.queue?.rewind() ?? [];
  }

  drain(): OutgoingStanza[] {
    return this.queue?.drain() ?? [];
  }

  stop(): void {
    this.requester?.stop();
    if (!this.resumeId) return;
    this.ctx.resumptions.remove(this.resumeId, this.session);
    this.ctx.resumptions.recordEnded(this.resumeId, this.session.accountBare, this.inbound.value);
  }

  /** Enables it (the <enable/> may also come inline in a Bind 2 request); returns the answer. */
  enable(element: Element): Element {
    if (this.queue) return failed('unexpected-request', undefined, 'stream management is already enabled');
    this.queue = new OutboundQueue<OutgoingStanza>();
    this.requester = new AckRequester(this.queue, () => {
      if (!this.session.attached) return false;
      this.session.writeNonza(ackRequest());
      return true;
    });
    const wantsResume = element.attrs.resume === 'true' || element.attrs.resume === '1';
    if (wantsResume) {
      this.resumeId = `${this.ctx.ids.next()}${this.ctx.ids.next()}`;
      this.ctx.resumptions.add(this.resumeId, this.session);
    }
    return enabled(this.resumeId, this.resumeId ? this.ctx.config.limits.resumeTimeoutSeconds : undefined);
  }

  private async applyAck(h: number | undefined): Promise<void> {
    const acked = h === undefined ? undefined : this.queue!.ack(h);
    if (!acked) {
      // XEP-0198 §4: acknowledging more than was sent is a fatal error.
      this.session.close(new StreamError('undefined-condition', `handled-count-too-high: h=${h ?? '(invalid)'}, sent=${this.queue!.sent}`));
      return;
    }
    await this.confirm(acked);
    // Logged once every `stanza/acked` handler has run (tests wait for it).
    if (acked.length > 0) this.session.log.debug({ h, acked: acked.length }, 'client acknowledged stanzas');
  }

  private async confirm(acked: readonly OutgoingStanza[]): Promise<void> {
    for (const stanza of acked) {
      this.session.confirmed(stanza);
      await this.ctx.events.fire('stanza/acked', { session: this.session, stanza });
    }
  }

  private notEnabled(): void {
    this.session.close(new StreamError('unsupported-stanza-type', 'stream management is not enabled'));
  }
}
