// A bound client session (RFC 6120 §7): the account's resource, its presence state, and — with
// XEP-0198 — its unacknowledged stanzas. It outlives its connection while it can be resumed.
import type { Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import { StreamError } from '../protocol/stream-error.js';
import type { LocalSession } from '../core/sessions/session.js';
import { SessionData } from '../core/sessions/session-data.js';
import { sessionRefOf, type SessionRef } from '../core/sessions/session-ref.js';
import type { Logger } from '../util/logger.js';
import type { C2sContext } from './c2s-context.js';
import { StreamManagement } from './stream-management/stream-management.js';
import { rehomeUndelivered } from './stream-management/undelivered.js';
import { HIGH_WATER_BYTES, SessionOutbound, type OutboundTransport } from './session-outbound.js';
import type { OutboundFilter } from '../core/sessions/outbound-filter.js';
import { HeldOutbound } from './held-outbound.js';
import { SessionInbound } from './session-inbound.js';
import { treeOf, type OutgoingStanza } from '../xml/serialized-stanza.js';

/** What a session needs from the connection currently carrying it. */
export interface SessionTransport extends OutboundTransport {
  readonly remoteAddress: string;
  readonly secure: boolean;
  /** Writes a nonza (or anything not paced by the session's queue). */
  write(element: Element): boolean;
  fail(error: StreamError): void;
  close(): void;
  /** Drops the socket without ending the session (it was resumed elsewhere). */
  abandon(): void;
}

/** SessionRef flag of a session waiting for its client to resume it (XEP-0198 §5). */
export const HIBERNATING_FLAG = 'c2s.hibernating';

export class ClientSession implements LocalSession {
  readonly data = new SessionData();
  available = false;
  priority = 0;
  presence: Element | undefined;
  interested = false;
  readonly flags: Record<string, string> = {};
  readonly sm: StreamManagement;
  private readonly outbound: SessionOutbound;
  /** What a module's policy (XEP-0352) holds back, and the policy. */
  private readonly held = new HeldOutbound();
  private readonly inbound: SessionInbound;

  private transport: SessionTransport | undefined;
  private lastTransport: SessionTransport;
  private hibernation: NodeJS.Timeout | undefined;
  private ending = false;
  /** Ended and re-homed: takes nothing more. */
  private finished = false;
  /** end() has run to its last step (`ended` resolves). */
  private closedDown = false;
  /** A slow client is logged once per episode, not per stanza. */
  private congestionLogged = false;
  /** Made when first asked for (see `ended`): a live session holds no promise and no resolver. */
  private endedSignal: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly ctx: C2sContext,
    readonly id: string,
    readonly jid: Jid,
    transport: SessionTransport,
    readonly log: Logger,
  ) {
    this.transport = transport;
    this.lastTransport = transport;
    this.sm = new StreamManagement(ctx, this);
    this.inbound = new SessionInbound(ctx, this, (error) => this.transport?.fail(error));
    this.outbound = new SessionOutbound(this.sm, Math.max(1, Math.floor(ctx.config.limits.maxUnackedStanzas / 2)));
    this.outbound.attach(transport);
  }

  /** Resolves once the session has fully ended (undelivered stanzas re-homed, events fired). */
  get ended(): Promise<void> {
    if (!this.endedSignal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.endedSignal = { promise, resolve };
      if (this.closedDown) resolve();
    }
    return this.endedSignal.promise;
  }

  get accountBare(): string {
    return this.jid.toBareString();
  }

  get confirmsDelivery(): boolean {
    return this.sm.enabled;
  }

  get remoteAddress(): string {
    return this.lastTransport.remoteAddress;
  }

  get secure(): boolean {
    return this.lastTransport.secure;
  }

  get attached(): boolean {
    return this.transport !== undefined;
  }

  ref(): SessionRef {
    return sessionRefOf(this, this.ctx.nodeId);
  }

  /** While it ends, the session re-homes what it holds: senders wait for that (see whenWritable). */
  get congested(): boolean {
    return this.ending ? !this.finished : this.outbound.congested;
  }

  /**
   * Accepted stanzas are written as the connection drains; if the session ends first they take
   * the undelivered path (offline storage or a bounce), never the bin.
   */
  send(stanza: Element): boolean {
    if (this.finished) return false;
    this.ctx.events.notify('c2s/stanza-out', stanza);
    if (this.transport === undefined && !this.ending) void this.ctx.events.fire('session/hibernated-stanza', { session: this, stanza });
    // Whatever a filter decides, it holds no more than the outbound queue does before pacing.
    if (!this.ending && this.held.keeps(stanza, HIGH_WATER_BYTES)) return true;
    this.releaseHeld();
    this.outbound.send(stanza);
    if (this.ending) return true; // re-homed by end() with the rest
    this.enforceBounds();
    if (this.outbound.congested !== this.congestionLogged) this.noteCongestion();
    return true;
  }

  private noteCongestion(): void {
    this.congestionLogged = !this.congestionLogged;
    if (this.congestionLogged) this.log.debug({ bytes: this.outbound.bytesHeld }, 'client is not keeping up; pacing its senders');
  }

  sendConfirmed(stanza: OutgoingStanza, confirm: (delivered: boolean) => void): void {
    if (this.finished) return confirm(false);
    this.ctx.events.notify('c2s/stanza-out', stanza);
    // Stanzas from other nodes arrive this way: a hibernating session must be noticed here too (push).
    if (this.transport === undefined && !this.ending) void this.ctx.events.fire('session/hibernated-stanza', { session: this, stanza: treeOf(stanza) });
    // While it ends, the stanza joins the queue being re-homed (and is confirmed false), like send().
    // A writer waiting for confirmation is never held back; order is kept by releasing first.
    this.releaseHeld();
    this.outbound.send(stanza, confirm);
    if (this.ending) return;
    this.enforceBounds();
    // Paced writers (the offline flush, the bus) are logged like senders when the client lags.
    if (this.outbound.congested !== this.congestionLogged) this.noteCongestion();
  }

  /**
   * Installs a module's policy for holding stanzas back, or (undefined) removes it; either way
   * what it held so far is written first, in order.
   */
  setOutboundFilter(filter: OutboundFilter | undefined): void {
    this.held.filter = filter;
    this.releaseHeld();
    this.enforceBounds();
  }

  private releaseHeld(): void {
    if (this.held.count === 0) return;
    for (const stanza of this.held.take()) this.outbound.send(stanza);
  }

  /** False once it ended; an ending session answers when its queue has been re-homed. */
  whenWritable(): Promise<boolean> {
    if (this.finished) return Promise.resolve(false);
    return this.ending ? this.ended.then(() => false) : this.outbound.whenWritable();
  }

  /** The connection passed earlier writes on to the network. */
  written(): void {
    this.outbound.written();
  }

  /** The client acknowledged `stanza` (XEP-0198). */
  confirmed(stanza: OutgoingStanza): void {
    this.outbound.acked(stanza);
  }

  /** Writes a nonza (not counted by stream management). */
  writeNonza(element: Element): void {
    this.transport?.write(element);
  }

  close(error?: StreamError): void {
    if (this.transport) {
      if (error) this.transport.fail(error);
      else this.transport.close();
    } else {
      void this.end(error ? error.condition : 'closed while detached');
    }
  }

  /** One inbound element from the client, in order (see session-inbound.ts). */
  handle(element: Element): void | Promise<void> {
    return this.inbound.handle(element);
  }

  /**
   * More is held for the client than the limits allow (a client that stops reading, or never
   * acknowledges): the session ends and what it held goes to offline storage or back to senders.
   */
  private enforceBounds(): void {
    const { maxUnackedStanzas, maxQueuedBytesPerSession } = this.ctx.config.limits;
    const held = this.outbound.stanzasHeld;
    if (held <= 1) return; // one stanza always fits, however large
    let problem: string | undefined;
    if (this.sm.enabled && held > maxUnackedStanzas) problem = `more than ${maxUnackedStanzas} stanzas left unacknowledged`;
    else if (this.outbound.bytesHeld > maxQueuedBytesPerSession) problem = `more than ${maxQueuedBytesPerSession} bytes waiting for the client to read or acknowledge them`;
    if (problem === undefined) return;
    this.log.warn({ held, bytes: this.outbound.bytesHeld }, `ending session: ${problem}`);
    const transport = this.transport;
    void this.end(problem);
    transport?.fail(new StreamError('policy-violation', problem));
  }

  /**
   * The connection is gone. With resumption enabled and no deliberate end, the session
   * hibernates (XEP-0198 §5) and keeps collecting stanzas; otherwise it ends.
   */
  async detach(transport: SessionTransport, endSession: boolean, reason: string): Promise<void> {
    if (transport !== this.transport) return;
    this.outbound.detach();
    this.transport = undefined;
    if (!endSession && this.sm.resumable && !this.ending) {
      const seconds = this.ctx.config.limits.resumeTimeoutSeconds;
      this.log.info({ reason, seconds }, 'connection lost; session kept for resumption');
      this.hibernation = setTimeout(() => void this.end('resumption timed out'), seconds * 1000);
      this.hibernation.unref();
      await this.markHibernating(true);
      return;
    }
    await this.end(reason);
  }

  /** A new connection takes over (XEP-0198 §5): acknowledge up to `h`, resend the rest. */
  async resume(transport: SessionTransport, h: number, announce?: (resumed: Element) => Element[]): Promise<'resumed' | 'gone' | 'bad-h'> {
    if (this.ending) return 'gone';
    clearTimeout(this.hibernation);
    if (this.flags[HIBERNATING_FLAG]) await this.markHibernating(false);
    const previous = this.transport;
    this.outbound.detach();
    this.transport = transport;
    this.lastTransport = transport;
    previous?.abandon();
    if (!(await this.sm.resumeWith(h, announce))) {
      await this.end('resumption acknowledged more than was sent');
      return 'bad-h';
    }
    this.log.info('session resumed');
    // <resumed/> went first; the unacknowledged stanzas follow as the new connection drains, then
    // what a filter held. A filter belongs to the stream it was set on (XEP-0352 §5.2: the
    // client state is not restored by resumption), so the resumed stream starts without one.
    this.outbound.resumeOnto(transport, this.sm.rewind());
    this.held.filter = undefined;
    this.releaseHeld();
    return 'resumed';
  }

  /** Published so that a node short of resources for the account can see it may end this one. */
  private async markHibernating(hibernating: boolean): Promise<void> {
    if (hibernating) this.flags[HIBERNATING_FLAG] = '1';
    else delete this.flags[HIBERNATING_FLAG];
    await this.ctx.sessions.update(this.ref());
  }

  async end(reason: string): Promise<void> {
    if (this.ending) return this.ended;
    this.ending = true;
    clearTimeout(this.hibernation);
    // The count a later <resume/> is told must include every stanza handled before the end.
    await this.sm.counted();
    this.sm.stop();
    this.outbound.detach();
    this.transport = undefined;
    // Held stanzas were sent after everything queued: they are re-homed behind it.
    this.held.filter = undefined;
    this.releaseHeld();
    // Nothing held for the client is lost: messages go to offline storage or bounce. Stanzas
    // that arrive meanwhile still join this session's queue and are re-homed behind the older
    // ones, so a sender's messages keep their order into offline storage.
    let undelivered = 0;
    for (let batch = this.outbound.undelivered(this.sm.drain()); batch.length > 0; batch = this.outbound.undelivered([])) {
      undelivered += batch.length;
      await rehomeUndelivered(this.ctx, this, batch);
    }
    this.finished = true;
    this.ctx.delivery.local.delete(this.id);
    await this.ctx.sessions.remove(this.ref());
    this.log.info({ reason, undelivered }, 'session closed');
    await this.ctx.events.fire('session/closed', { session: this, reason });
    this.closedDown = true;
    this.endedSignal?.resolve();
  }
}
