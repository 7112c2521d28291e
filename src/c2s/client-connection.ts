// One client connection, from TCP accept to close: header → (STARTTLS) → SASL → bind or
// resume → stanzas, which it hands to its ClientSession. Inbound work runs through one serial
// queue so a client's stanzas keep their order. What it offers at each stage is in
// stream-features.ts; binding and resumption in session-binding.ts; SASL in sasl-negotiation.ts
// and the SASL2 inline requests in sasl2/completion.ts.
import type { StreamSocket } from '../stream/stream-socket.js';
import type { StreamFraming } from '../stream/stream-framing.js';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { tryParseJid, createJid, type Jid } from '../protocol/jid.js';
import { StreamError } from '../protocol/stream-error.js';
import { XmlStream, type XmlStreamHandler } from '../stream/xml-stream.js';
import { SerialQueue, type SerialQueueOwner } from '../util/serial-queue.js';
import type { Logger } from '../util/logger.js';
import { createTlsChannelBinding } from './sasl/channel-binding.js';
import type { ChannelBindingProvider } from './sasl/mechanism.js';
import type { C2sContext } from './c2s-context.js';
import type { AddressAdmission } from '../net/address-limits.js';
import { checkStreamHeader } from './header-check.js';
import { decodeBase64Text, offeredTokenMechanisms, SaslNegotiation, type SaslOutcome } from './sasl-negotiation.js';
import { tokenSource, type FastTokenSource } from './sasl2/fast.js';
import { parseAuthenticate, SASL2, type AuthenticateRequest } from './sasl2/elements.js';
import { completeSasl2, type Sasl2Connection } from './sasl2/completion.js';
import { streamFeaturesText } from './stream-features.js';
import type { ClientSession } from './client-session.js';
import { establishSession, onBindStage, resumeSession, type BindingConnection } from './session-binding.js';
import { ackRequest } from '../stream/stream-management/nonzas.js';

const MAX_SASL_FAILURES = 3;
const INBOUND_HIGH_WATER = 64;
const MAX_OUTBOUND_BYTES = 16 * 1024 * 1024;
const NO_CHANNEL_BINDING = createTlsChannelBinding(undefined);

// Per-connection state is kept lean on purpose (thousands of mostly idle connections): the
// connection is itself its stream's handler and its queue's owner instead of holding closures,
// one logger gains bindings as the stream advances, and what only negotiation needs is dropped
// once the resource is bound.
export class ClientConnection implements BindingConnection, XmlStreamHandler, SerialQueueOwner {
  readonly id: string;
  domain = '';
  channelBinding: ChannelBindingProvider;
  private readonly stream: XmlStream;
  private readonly queue: SerialQueue;
  /** Public for session-binding.ts, which adds the bound JID to it. */
  log: Logger;
  private account: Jid | undefined;
  /** The SASL mechanism the account authenticated with, for session listings. */
  mechanism: string | undefined;
  /** TCP or WebSocket, for session listings and metrics. */
  readonly transport: StreamFraming['name'];
  private session: ClientSession | undefined;
  private sasl: SaslNegotiation | undefined;
  /** The XEP-0388 <authenticate/> under way: its inline requests are served once it succeeds. */
  private sasl2: AuthenticateRequest | undefined;
  private negotiationTimer: NodeJS.Timeout | undefined;
  /** True once the stream is ending on purpose (client's close, or our stream error): no resumption. */
  private endSession = false;

  constructor(
    readonly ctx: C2sContext,
    socket: StreamSocket,
    /** Secured from the start (direct TLS, or the HTTPS under a WebSocket): no STARTTLS. */
    directTls: boolean,
    /** This connection's place in its address's limits (released by the listener at close). */
    readonly admission?: AddressAdmission,
    /** How the stream is framed on the socket; default TCP. */
    framing?: StreamFraming,
  ) {
    this.id = ctx.ids.next();
    this.transport = framing?.name ?? 'tcp';
    this.log = ctx.log.child({ connection: this.id, remote: socket.remoteAddress });
    const limits = ctx.config.limits;
    this.stream = new XmlStream(
      socket,
      {
        limits,
        bytesPerSecond: limits.bytesPerSecond,
        stanzasPerSecond: limits.stanzasPerSecond,
        idleTimeoutMs: limits.idleTimeoutSeconds * 1000,
        tlsHandshakeTimeoutMs: limits.tlsHandshakeTimeoutSeconds * 1000,
        maxOutboundBytes: MAX_OUTBOUND_BYTES,
        clock: ctx.clock,
        log: this.log,
        ...(framing ? { framing } : {}),
      },
      this,
    );
    this.channelBinding = this.tlsChannelBinding(directTls);
    this.queue = new SerialQueue(this, INBOUND_HIGH_WATER);
    this.negotiationTimer = setTimeout(
      () => this.fail(new StreamError('connection-timeout', 'stream negotiation took too long')),
      limits.negotiationTimeoutSeconds * 1000,
    );
    this.negotiationTimer.unref();
  }

  // XmlStreamHandler: what the stream reports, in order, through the serial queue.
  streamStart(attrs: Record<string, string>): void {
    this.enqueue(() => this.onStreamStart(attrs));
  }

  element(element: Element): void {
    this.enqueue(() => this.onElement(element));
  }

  streamEnd(): void {
    this.endSession = true;
    this.log.debug('client closed its stream');
  }

  idle(): void {
    this.probe();
  }

  closed(reason: string): void {
    this.queue.push(() => this.onClosed(reason));
  }

  // SerialQueueOwner
  pauseInput(): void {
    this.stream.pause('queue');
  }

  resumeInput(): void {
    this.stream.resume('queue');
  }

  taskFailed(error: unknown): void {
    this.log.error({ err: error }, 'connection task failed');
    this.fail(new StreamError('internal-server-error'));
  }

  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  get secure(): boolean {
    return this.stream.secure;
  }

  write(element: Element): boolean {
    return this.stream.send(element);
  }

  writeSerialized(text: string): boolean {
    return this.stream.sendSerialized(text);
  }

  get bufferedBytes(): number {
    return this.stream.bufferedBytes;
  }

  get writeCount(): number {
    return this.stream.writeCount;
  }

  get flushedCount(): number {
    return this.stream.flushedCount;
  }

  written(): void {
    this.session?.written();
  }

  send(element: Element): void {
    this.stream.send(element);
  }

  fail(error: StreamError): void {
    // A connection that merely went quiet may be a phone in a tunnel: let its session hibernate.
    if (error.condition !== 'connection-timeout') this.endSession = true;
    this.stream.fail(error);
  }

  close(): void {
    this.endSession = true;
    this.stream.close();
  }

  abandon(): void {
    this.session = undefined;
    this.stream.destroy();
  }

  /** Queues work from the current stream; it is dropped if the stream restarts before it runs. */
  private enqueue(task: () => Promise<void> | void): void {
    const generation = this.stream.generation;
    this.queue.push(() => (generation === this.stream.generation ? task() : undefined));
  }

  carry(session: ClientSession | undefined): void {
    this.session = session;
  }

  /** Negotiation is over (bound or resumed): drop what only it needed. */
  negotiated(log?: Logger): void {
    if (log) this.log = log;
    clearTimeout(this.negotiationTimer);
    this.negotiationTimer = undefined;
    this.sasl = undefined;
    this.sasl2 = undefined;
    this.channelBinding = NO_CHANNEL_BINDING;
  }

  /** Half the idle timeout passed in silence: provoke an answer from a live client. */
  private probe(): void {
    const session = this.session;
    if (!session) return;
    if (session.sm.enabled) this.stream.send(ackRequest());
    else this.stream.send(xml('iq', { type: 'get', id: this.ctx.ids.next(), from: this.domain, to: session.jid.toString() }, xml('ping', { xmlns: NS.ping })));
  }

  private onStreamStart(attrs: Record<string, string>): void {
    const checked = checkStreamHeader(attrs, this.ctx.hosts, NS.client);
    if (checked instanceof StreamError) {
      this.fail(checked);
      return;
    }
    this.domain = checked.domain;
    const peer = tryParseJid(attrs.from);
    this.stream.sendHeader({ xmlns: NS.client, id: this.ctx.ids.next(), from: this.domain, ...(peer ? { to: peer.toString() } : {}) });
    void this.sendFeatures();
  }

  private async sendFeatures(): Promise<void> {
    this.stream.sendSerialized(await streamFeaturesText(this.ctx, this, this.account !== undefined));
  }

  // Not async: a bound session's stanza that nothing waits for costs the queue no promise.
  private onElement(element: Element): void | Promise<void> {
    if (this.stream.closed) return;
    if (this.session) return this.session.handle(element);
    if (this.account) return onBindStage(this, this.account, element);
    return this.onPreAuth(element);
  }

  private async onPreAuth(element: Element): Promise<void> {
    const ns = element.attrs.xmlns;
    if (element.name === 'starttls' && ns === NS.tls) return this.startTls();
    if (ns === NS.sasl) return this.onSasl(element);
    if (ns === NS.sasl2) return this.onSasl2(element);
    if (this.stream.secure && (element.name === 'iq' || element.name === 'message' || element.name === 'presence')) {
      const handled = await this.ctx.events.fire('c2s/unauthenticated-stanza', { stream: this, domain: this.domain, stanza: element });
      if (handled) return;
    }
    this.fail(new StreamError('not-authorized', this.stream.secure ? 'authenticate first' : 'STARTTLS is required first'));
  }

  private async startTls(): Promise<void> {
    if (this.stream.secure) {
      this.fail(new StreamError('policy-violation', 'TLS is already in place'));
      return;
    }
    this.stream.send(xml('proceed', { xmlns: NS.tls }));
    try {
      await this.stream.startTls({ secureContext: this.ctx.tls.forServerName(this.domain), SNICallback: this.ctx.tls.sniCallback });
    } catch (error) {
      this.log.info({ err: (error as Error).message }, 'TLS handshake failed');
      return;
    }
    this.channelBinding = this.tlsChannelBinding(true);
  }

  /**
   * Our certificate is looked up in the TLS contexts the way the handshake chose it (SNI; else
   * the stream's domain after STARTTLS, the default domain with direct TLS), not by the costly
   * socket query.
   */
  private tlsChannelBinding(secured: boolean): ChannelBindingProvider {
    const socket = secured ? this.stream.tlsSocket : undefined;
    const fallback = this.domain || undefined;
    return createTlsChannelBinding(socket, () => this.ctx.tls.certificateDer(socket?.servername || fallback));
  }

  private async onSasl(element: Element): Promise<void> {
    this.sasl ??= new SaslNegotiation(this.ctx, this);
    const outcome = await this.sasl.handle(element);
    if (this.authenticated(outcome)) this.stream.restart();
  }

  /** XEP-0388: the same exchange as onSasl, in its own elements, and no stream restart. */
  private async onSasl2(element: Element): Promise<void> {
    this.sasl ??= new SaslNegotiation(this.ctx, this);
    let outcome: SaslOutcome;
    let tokens: FastTokenSource | undefined; // token logins take one message: success comes in this call
    if (element.name === 'authenticate') {
      this.sasl2 = parseAuthenticate(element);
      tokens = tokenSource(this.ctx, this.domain, this.sasl2, offeredTokenMechanisms(this));
      outcome = await this.sasl.begin(this.sasl2.mechanism, this.sasl2.initialResponse, SASL2, tokens);
    } else if (element.name === 'response') {
      outcome = await this.sasl.respond(decodeBase64Text(element.getText()));
    } else if (element.name === 'abort') {
      outcome = await this.sasl.abort();
    } else {
      this.fail(new StreamError('unsupported-stanza-type', `<${element.name}/> is not a SASL2 element a client sends`));
      return;
    }
    const request = this.sasl2;
    if (outcome.kind !== 'pending') this.sasl2 = undefined;
    if (!this.authenticated(outcome) || outcome.kind !== 'success' || !request) return;
    const connection: Sasl2Connection = {
      ctx: this.ctx,
      log: this.log,
      account: this.account!,
      send: (e) => this.stream.send(e),
      resume: (e, announce) => resumeSession(this, this.account!, e, announce),
      establish: (jid, agent) => establishSession(this, jid, agent),
      sendFeatures: () => this.sendFeatures(),
      // The list a token login's source already holds (the stream's binding types are fixed).
      tokenMechanisms: tokens?.offered ?? offeredTokenMechanisms(this),
      usedToken: tokens?.usedToken,
    };
    await completeSasl2(connection, request, outcome.mechanism, outcome.additionalData);
  }

  /** Settles a SASL outcome of either profile: true once the account is known. */
  private authenticated(outcome: SaslOutcome): boolean {
    if (outcome.kind === 'success') {
      this.account = createJid(outcome.username, this.domain);
      this.mechanism = outcome.mechanism;
      this.log.setBindings({ account: this.account.toString() });
      this.log.info('authenticated');
      return true;
    }
    if (outcome.kind === 'failed' && outcome.attempts >= MAX_SASL_FAILURES) {
      this.fail(new StreamError('not-authorized', 'too many failed authentication attempts'));
    }
    return false;
  }

  private async onClosed(reason: string): Promise<void> {
    clearTimeout(this.negotiationTimer);
    await this.session?.detach(this, this.endSession, reason);
  }
}
