// XEP-0198 on an incoming server stream: once the peer enables it, we count the stanzas we have
// handled (routed on, stored or answered) and tell the peer that count when it asks, or when we
// are about to close the stream, so it knows exactly what it must send again elsewhere.
import type { Element } from '../xml/element.js';
import { StreamError } from '../protocol/stream-error.js';
import { HandledCount } from '../stream/stream-management/handled-count.js';
import { ackAnswer, enabled, failed } from '../stream/stream-management/nonzas.js';

export class InboundAcks {
  private on = false;
  private readonly count = new HandledCount();

  constructor(private readonly write: (nonza: Element) => void) {}

  get enabled(): boolean {
    return this.on;
  }

  /** One stanza from the peer fully handled; with `after`, counted once that resolves, in order. */
  handled(after?: Promise<void>): void {
    if (this.on) this.count.handled(after);
  }

  /** A stream management element from the peer; a StreamError when the stream must end. */
  onNonza(element: Element): StreamError | undefined {
    switch (element.name) {
      case 'enable':
        if (this.on) {
          this.write(failed('unexpected-request', undefined, 'stream management is already enabled'));
          return undefined;
        }
        // Resumption is not offered between servers: a new link is as cheap as a resumed one.
        this.on = true;
        this.write(enabled(undefined, undefined));
        return undefined;
      case 'r':
        if (!this.on) return new StreamError('unsupported-stanza-type', 'stream management is not enabled');
        // Its <a/> covers every stanza before it: those still on their way to another node count first.
        if (this.count.counting) void this.count.counting.then(() => this.write(ackAnswer(this.count.value)));
        else this.write(ackAnswer(this.count.value));
        return undefined;
      case 'a':
        // We send nothing on an incoming stream, so there is nothing to acknowledge; harmless.
        return undefined;
      default:
        return new StreamError('unsupported-stanza-type', `<${element.name}/> is not a stream management element`);
    }
  }

  /** An unsolicited <a/> (XEP-0198 §4 allows it) before we close the stream. */
  flush(): void {
    if (this.on) this.write(ackAnswer(this.count.value));
  }
}
