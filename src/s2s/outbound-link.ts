// One outgoing link (local domain → remote domain): opened on the first stanza, stanzas queued
// in order while it negotiates (up to s2s.maxQueuedStanzas; more are bounced with
// resource-constraint), closed when idle. If it cannot be opened, its observer (the link manager)
// is told, for the back-off, and gets every queued stanza back with the reason, to bounce (or,
// for a message, to hold for a later attempt: held-messages.ts).
// When the peer does stream management (XEP-0198), stanzas written are kept until it acknowledges
// them; those it never did when the link dies go back to the observer to be sent again.
import { cloneElement, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { StanzaError } from '../protocol/stanza-error.js';
import { bounce } from '../core/stanza-sender.js';
import type { Logger } from '../util/logger.js';
import type { XmlStream } from '../stream/xml-stream.js';
import { ElementChannel, LinkFailure } from './element-channel.js';
import { ackAnswer } from '../stream/stream-management/nonzas.js';
import { StreamError } from '../protocol/stream-error.js';
import { enableElement, LinkAcks } from './link-acks.js';
import { ageSeconds, streamFields, type AuthMethod, type LinkStatus, type LinkTransport } from './link-status.js';
import { openLink } from './outbound-negotiation.js';
import type { S2sContext } from './s2s-context.js';

/** What a link tells its owner about its life; each is called at most once. */
export interface LinkObserver {
  /** The link is authenticated and carries stanzas. */
  opened(link: OutboundLink): void;
  /**
   * The link could not be opened; `error` is what its queued stanzas are bounced with (called
   * before they are, and before `closed`). Returns how long until the next attempt (ms), for the log.
   */
  failed(link: OutboundLink, error: StanzaError, permanent: boolean): number;
  /**
   * A stanza queued on the link when it could not be opened: bounce it with `error` (or, for a
   * message, hold it for a later attempt). Called synchronously for each, in queue order.
   */
  undeliverable(link: OutboundLink, stanza: Element, error: StanzaError, permanent: boolean): Promise<void>;
  /**
   * The link is closed (after failing, when idle, on a stream error or close()). `unacked`: the
   * stanzas written to it that the peer never acknowledged (only with stream management).
   */
  closed(link: OutboundLink, unacked: Element[]): void;
}

export class OutboundLink {
  private state: 'connecting' | 'ready' | 'closed' = 'connecting';
  private readonly queue: Element[] = [];
  /** Queued stanzas handed over from a dead link: already held in memory, so not capped. */
  private carriedOver = 0;
  private channel: ElementChannel | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  /** The stream being negotiated, then the one in use: what status() reports on. */
  private transport: XmlStream | undefined;
  private method: AuthMethod | undefined;
  private transportKind: LinkTransport | undefined;
  private readonly createdAt: number;
  private stanzasOut = 0;
  /** Present while the peer does stream management on this link. */
  private acks: LinkAcks | undefined;

  constructor(
    private readonly ctx: S2sContext,
    readonly local: string,
    readonly remote: string,
    private readonly observer: LinkObserver,
  ) {
    this.log = ctx.log.child({ s2s: 'out', local, remote });
    this.createdAt = ctx.clock.now();
    void this.open();
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Authenticated and taking stanzas. */
  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Bytes written to the link's socket and not yet taken by the network. */
  get bufferedBytes(): number {
    return this.transport?.bufferedBytes ?? 0;
  }

  /**
   * Writes the stanza, or queues it while the link is being opened (bouncing it with
   * resource-constraint when the queue is full). False: this link is closed or going away and
   * did not take the stanza; the caller should hand it to a new link. `carriedOver`: the stanza
   * comes from a link that died before the peer acknowledged it; it does not count to the cap.
   */
  async send(stanza: Element, carriedOver = false): Promise<boolean> {
    if (this.state === 'closed') return false;
    const out = forServerStream(stanza);
    if (this.state === 'ready') {
      if (this.write(out)) {
        this.touch();
        return true;
      }
      // The stream is closing (or was dropped because the peer stopped reading) before its
      // close was reported: it will carry nothing more, so stop using it now.
      this.log.info('outgoing stream no longer takes stanzas; closing the link');
      this.close();
      return false;
    }
    const max = this.ctx.config.s2s.maxQueuedStanzas;
    if (carriedOver) this.carriedOver += 1;
    else if (this.queue.length - this.carriedOver >= max) {
      const error = new StanzaError('resource-constraint', `the link to ${this.remote} is still being established and its queue is full (${max} stanzas waiting)`);
      this.log.debug({ max }, 'queue of negotiating server link full; bouncing stanza');
      await bounce(this.ctx.router, stanza, error).catch((e: unknown) => this.log.warn({ err: e }, 'bounce failed'));
      return true;
    }
    this.queue.push(out);
    return true;
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
      transport: this.transportKind,
      auth: this.method === undefined ? [] : [{ domain: this.remote, method: this.method }],
      state: this.state === 'ready' ? 'ready' : 'negotiating',
      ageSeconds: ageSeconds(this.createdAt, this.ctx.clock.now()),
      stanzasIn: 0,
      stanzasOut: this.stanzasOut,
      queue: this.queue.length,
      unacked: this.acks?.unackedCount ?? 0,
      bufferedBytes: stream.bufferedBytes,
    };
  }

  close(): void {
    if (this.state === 'closed') return;
    // Closed before it opened (the server is stopping): what waited for it goes back to the
    // owner, so messages are held in storage for the next start instead of being lost.
    const waiting = this.state === 'connecting' ? this.queue.splice(0) : [];
    this.finish();
    this.channel?.stream.close();
    const error = new StanzaError('remote-server-timeout', `the server stopped before the link to ${this.remote} was established`);
    for (const stanza of waiting) {
      this.observer.undeliverable(this, stanza, error, false).catch((e: unknown) => this.log.warn({ err: e }, 'bounce failed'));
    }
  }

  private async open(): Promise<void> {
    let channel: ElementChannel;
    let streamManagement: boolean;
    try {
      const opened = await openLink(this.ctx, this.local, this.remote, this.log, (negotiating) => (this.transport = negotiating.stream));
      channel = opened.channel;
      this.method = opened.method;
      this.transportKind = opened.transport;
      streamManagement = opened.streamManagement;
    } catch (error) {
      const failure = error instanceof LinkFailure ? error : new LinkFailure(`internal error: ${(error as Error).message}`);
      await this.fail(failure);
      return;
    }
    if (this.state === 'closed') {
      channel.stream.close();
      return;
    }
    this.channel = channel;
    // An outgoing stream carries nothing for us but acknowledgements and errors.
    channel.onElement = (element) => {
      if (element.attrs.xmlns === NS.sm) {
        this.onStreamManagement(element);
        return;
      }
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
    this.observer.opened(this);
    if (streamManagement) {
      // The peer counts from the moment it reads <enable/>; stanzas written after it are counted
      // in order, so there is no need to wait for <enabled/> (a <failed/> turns tracking off).
      channel.stream.send(enableElement());
      this.acks = new LinkAcks(
        (nonza) => channel.stream.send(nonza),
        () => {
          this.log.info({ unacked: this.acks?.unackedCount, ackTimeoutSeconds: this.ctx.config.s2s.ackTimeoutSeconds }, 'peer stopped acknowledging; dropping the link');
          channel.stream.destroy();
        },
        this.ctx.config.s2s.ackTimeoutSeconds * 1000,
      );
    }
    for (const stanza of this.queue.splice(0)) this.write(stanza);
    this.touch();
  }

  private write(stanza: Element): boolean {
    if (!this.channel?.stream.send(stanza)) return false;
    this.stanzasOut += 1;
    this.ctx.events?.notify('s2s/stanza-out', stanza);
    this.acks?.sent(stanza);
    return true;
  }

  private onStreamManagement(element: Element): void {
    const channel = this.channel!;
    switch (element.name) {
      case 'a':
        if (this.acks?.acknowledged(element.attrs.h) === false) {
          // XEP-0198 §4: an impossible count is a fatal error; what is unacknowledged goes again.
          channel.stream.fail(new StreamError('undefined-condition', `handled-count-too-high: h=${element.attrs.h ?? '(none)'}`));
        }
        return;
      case 'r':
        // We handle no stanzas from the peer on our outgoing stream.
        channel.stream.send(ackAnswer(0));
        return;
      case 'enabled':
        this.log.info('stream management enabled on outgoing link');
        return;
      case 'failed':
        // Without it the peer counts nothing, so what we kept can never be acknowledged.
        this.log.info('peer refused stream management on outgoing link');
        this.acks?.stop();
        this.acks = undefined;
        return;
      default:
        this.log.debug({ name: element.name }, 'ignoring stream management element on outgoing stream');
    }
  }

  private async fail(failure: LinkFailure): Promise<void> {
    const error = new StanzaError(failure.timeout ? 'remote-server-timeout' : 'remote-server-not-found', failure.reason);
    // A link closed by us while negotiating (server stopping) did not fail on the peer's account.
    if (this.state !== 'closed') {
      const retryMs = this.observer.failed(this, error, failure.permanent);
      this.log.info({ reason: failure.reason, retryInSeconds: Math.ceil(retryMs / 1000) }, 'cannot open server link');
    }
    this.finish();
    // All handed over before any is awaited, so the observer sees them in queue order.
    const handed = this.queue.splice(0).map((stanza) => this.observer.undeliverable(this, stanza, error, failure.permanent));
    for (const outcome of await Promise.allSettled(handed)) {
      if (outcome.status === 'rejected') this.log.warn({ err: outcome.reason }, 'bounce failed');
    }
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    const unacked = this.acks?.takeUnacked() ?? [];
    if (unacked.length > 0) this.log.info({ unacked: unacked.length }, 'server link closed with stanzas the peer did not acknowledge');
    this.observer.closed(this, unacked);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    const idleSeconds = this.ctx.config.s2s.idleTimeoutSeconds;
    this.idleTimer = setTimeout(() => {
      // Not while the peer still owes acknowledgements: ask, and let its answer (or the ack
      // deadline) decide.
      if (this.acks && this.acks.unackedCount > 0) {
        this.acks.requestNow();
        this.touch();
        return;
      }
      this.log.info({ idleSeconds }, 'closing idle server link');
      this.close();
    }, idleSeconds * 1000);
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
