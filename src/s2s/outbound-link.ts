// One outgoing link (local domain → remote domain): opened on the first stanza, stanzas queued
// in order while it negotiates, closed when idle. If it cannot be opened, every queued stanza is
// bounced to its sender with the reason.
import { cloneElement, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { StanzaError } from '../protocol/stanza-error.js';
import { bounce } from '../core/stanza-sender.js';
import type { Logger } from '../util/logger.js';
import type { XmlStream } from '../stream/xml-stream.js';
import { ElementChannel, LinkFailure } from './element-channel.js';
import { ageSeconds, streamFields, type AuthMethod, type LinkStatus } from './link-status.js';
import { openLink } from './outbound-negotiation.js';
import type { S2sContext } from './s2s-context.js';

export class OutboundLink {
  private state: 'connecting' | 'ready' | 'closed' = 'connecting';
  private readonly queue: Element[] = [];
  private channel: ElementChannel | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  /** The stream being negotiated, then the one in use: what status() reports on. */
  private transport: XmlStream | undefined;
  private method: AuthMethod | undefined;
  private readonly createdAt: number;
  private stanzasOut = 0;

  constructor(
    private readonly ctx: S2sContext,
    readonly local: string,
    readonly remote: string,
    private readonly onClosed: (link: OutboundLink) => void,
  ) {
    this.log = ctx.log.child({ s2s: 'out', local, remote });
    this.createdAt = ctx.clock.now();
    void this.open();
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  send(stanza: Element): void {
    const out = forServerStream(stanza);
    if (this.state === 'ready' && this.channel?.stream.send(out)) {
      this.stanzasOut += 1;
      this.touch();
      return;
    }
    this.queue.push(out);
  }

  /** This link as `herald s2s status` shows it. */
  status(): LinkStatus {
    const stream = streamFields(this.transport);
    return {
      direction: 'out',
      local: this.local,
      remote: [this.remote],
      remoteAddress: stream.remoteAddress,
      tls: stream.tls,
      auth: this.method === undefined ? [] : [{ domain: this.remote, method: this.method }],
      state: this.state === 'ready' ? 'ready' : 'negotiating',
      ageSeconds: ageSeconds(this.createdAt, this.ctx.clock.now()),
      stanzasIn: 0,
      stanzasOut: this.stanzasOut,
      queue: this.queue.length,
      bufferedBytes: stream.bufferedBytes,
    };
  }

  close(): void {
    if (this.state === 'closed') return;
    this.finish();
    this.channel?.stream.close();
  }

  private async open(): Promise<void> {
    let channel: ElementChannel;
    try {
      const opened = await openLink(this.ctx, this.local, this.remote, this.log, (negotiating) => (this.transport = negotiating.stream));
      channel = opened.channel;
      this.method = opened.method;
    } catch (error) {
      const failure = error instanceof LinkFailure ? error : new LinkFailure(`internal error: ${(error as Error).message}`);
      this.log.info({ reason: failure.reason }, 'cannot open server link');
      await this.fail(failure);
      return;
    }
    if (this.state === 'closed') {
      channel.stream.close();
      return;
    }
    this.channel = channel;
    // An outgoing stream carries nothing for us but errors; anything else is ignored.
    channel.onElement = (element) => {
      if (element.name !== 'stream:error') {
        this.log.debug({ name: element.name }, 'ignoring element on outgoing stream');
        return;
      }
      // Prosody and ejabberd send a stream error (system-shutdown, connection-timeout, ...) before
      // closing a link. RFC 6120 §4.9.1: the stream is unrecoverable from that point, so stop
      // using it now: later stanzas then open a fresh link instead of going into a dying socket.
      const condition = element.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS.streams && c.name !== 'text');
      this.log.info({ condition: condition?.name ?? 'undefined-condition', text: element.getChildText('text', NS.streams) ?? undefined }, 'peer sent a stream error on outgoing link');
      this.close();
    };
    channel.onClosed = (reason) => {
      this.log.debug({ reason }, 'server link closed');
      this.finish();
    };
    if (channel.closedReason !== undefined) {
      await this.fail(new LinkFailure(`stream: ${channel.closedReason}`));
      return;
    }
    this.state = 'ready';
    for (const stanza of this.queue.splice(0)) {
      if (channel.stream.send(stanza)) this.stanzasOut += 1;
    }
    this.touch();
  }

  private async fail(failure: LinkFailure): Promise<void> {
    this.finish();
    const error = new StanzaError(failure.timeout ? 'remote-server-timeout' : 'remote-server-not-found', failure.reason);
    for (const stanza of this.queue.splice(0)) {
      await bounce(this.ctx.router, stanza, error).catch((e: unknown) => this.log.warn({ err: e }, 'bounce failed'));
    }
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    this.onClosed(this);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.log.debug('closing idle server link');
      this.close();
    }, this.ctx.config.s2s.idleTimeoutSeconds * 1000);
    this.idleTimer.unref();
  }
}

/** Stanzas from client streams may spell out jabber:client; on a server stream that is wrong. */
function forServerStream(stanza: Element): Element {
  if (stanza.attrs.xmlns !== NS.client) return stanza;
  const copy = cloneElement(stanza);
  delete copy.attrs.xmlns;
  return copy;
}
