// An XmlStream read as a sequence: `await header()`, `await next()`. Negotiating an outgoing
// server-to-server stream is a fixed conversation, which reads best as straight-line code.
import type { Socket } from 'node:net';
import type { Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { XmlStream, type XmlStreamOptions } from '../stream/xml-stream.js';

/**
 * Why a step failed; `timeout` picks remote-server-timeout over remote-server-not-found.
 * `permanent`: trying again cannot help (the peer refused us, or says it has no service), so
 * messages are bounced at once rather than held for later attempts.
 */
export class LinkFailure extends Error {
  constructor(
    readonly reason: string,
    readonly timeout = false,
    readonly permanent = false,
  ) {
    super(reason);
    this.name = 'LinkFailure';
  }
}

export class ElementChannel {
  readonly stream: XmlStream;
  headerAttrs: Record<string, string> | undefined;
  private readonly inbox: Element[] = [];
  private wake: (() => void) | undefined;
  private endReason: string | undefined;
  /** Once negotiation is over: where later elements go (unexpected ones on an outgoing stream). */
  onElement: ((element: Element) => void) | undefined;
  onClosed: ((reason: string) => void) | undefined;

  constructor(socket: Socket, options: XmlStreamOptions) {
    this.stream = new XmlStream(socket, options, {
      streamStart: (attrs) => {
        this.headerAttrs = attrs;
        this.wake?.();
      },
      element: (element) => {
        if (this.onElement) this.onElement(element);
        else this.inbox.push(element);
        this.wake?.();
      },
      streamEnd: () => this.end('the peer closed the stream'),
      closed: (reason) => {
        this.end(reason);
        this.onClosed?.(reason);
      },
    });
  }

  get closedReason(): string | undefined {
    return this.endReason;
  }

  /** Forget the previous header (after a restart) and wait for the next. */
  async header(timeoutMs: number, step: string): Promise<Record<string, string>> {
    this.headerAttrs = undefined;
    await this.until(() => this.headerAttrs !== undefined, timeoutMs, step);
    return this.headerAttrs!;
  }

  /**
   * The next element; a stream error from the peer becomes a LinkFailure naming it. `stepMs`:
   * the step's whole allowance, for the message, when `timeoutMs` is what is left of it.
   */
  async next(timeoutMs: number, step: string, stepMs = timeoutMs): Promise<Element> {
    await this.until(() => this.inbox.length > 0, timeoutMs, step, stepMs);
    const element = this.inbox.shift()!;
    if (element.name === 'stream:error') {
      const condition = element.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS.streams && c.name !== 'text');
      const text = element.getChildText('text', NS.streams);
      throw new LinkFailure(`${step}: the peer sent stream error ${condition?.name ?? 'undefined-condition'}${text ? ` (${text})` : ''}`);
    }
    return element;
  }

  private async until(ready: () => boolean, timeoutMs: number, step: string, stepMs = timeoutMs): Promise<void> {
    if (ready()) return;
    if (this.endReason !== undefined) throw new LinkFailure(`${step}: ${this.endReason}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new LinkFailure(`${step}: no answer within ${Math.round(stepMs / 1000)} s`, true));
      }, timeoutMs);
      this.wake = () => {
        if (!ready() && this.endReason === undefined) return;
        clearTimeout(timer);
        this.wake = undefined;
        if (ready()) resolve();
        else reject(new LinkFailure(`${step}: ${this.endReason}`));
      };
    });
  }

  private end(reason: string): void {
    this.endReason ??= reason;
    this.wake?.();
  }
}
