// A client-to-server stream, from TCP accept to close: header → (STARTTLS) → SASL → bind →
// stanzas. Inbound work runs through one serial queue so a client's stanzas keep their order.
import type { Socket } from 'node:net';
import type { Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { tryParseJid, createJid, type Jid } from '../protocol/jid.js';
import { StreamError } from '../protocol/stream-error.js';
import { StanzaError, errorReply } from '../protocol/stanza-error.js';
import { iqShapeError } from '../core/iq-dispatcher.js';
import type { LocalSession } from '../core/sessions/session.js';
import { sessionRefOf, type SessionRef } from '../core/sessions/session-ref.js';
import { XmlStream } from '../stream/xml-stream.js';
import { createSerialQueue, type SerialQueue } from '../util/serial-queue.js';
import type { Logger } from '../util/logger.js';
import { createTlsChannelBinding } from './sasl/channel-binding.js';
import type { ChannelBindingProvider } from './sasl/mechanism.js';
import type { C2sContext } from './c2s-context.js';
import { checkStreamHeader } from './header-check.js';
import { offeredMechanisms, SaslNegotiation } from './sasl-negotiation.js';
import { bindFeatures, channelBindingFeature, featuresElement, mechanismsFeature, startTlsFeature } from './features.js';
import { bindResult, chooseResource, isBindRequest, isSessionRequest } from './bind.js';
import { xml } from '../xml/element.js';

const MAX_SASL_FAILURES = 3;
const INBOUND_HIGH_WATER = 64;
const MAX_OUTBOUND_BYTES = 16 * 1024 * 1024;

export class C2sSession implements LocalSession {
  readonly id: string;
  readonly data = new Map<symbol, unknown>();
  available = false;
  priority = 0;
  presence: Element | undefined;
  interested = false;
  readonly flags: Record<string, string> = {};

  private readonly stream: XmlStream;
  private readonly queue: SerialQueue;
  private log: Logger;
  domain = '';
  private account: Jid | undefined;
  private boundJid: Jid | undefined;
  private sasl: SaslNegotiation | undefined;
  channelBinding: ChannelBindingProvider;
  private readonly negotiationTimer: NodeJS.Timeout;

  constructor(
    private readonly ctx: C2sContext,
    socket: Socket,
    directTls: boolean,
  ) {
    this.id = ctx.ids.next();
    this.log = ctx.log.child({ session: this.id, remote: socket.remoteAddress });
    const limits = ctx.config.limits;
    this.stream = new XmlStream(
      socket,
      {
        limits,
        bytesPerSecond: limits.bytesPerSecond,
        idleTimeoutMs: limits.idleTimeoutSeconds * 1000,
        maxOutboundBytes: MAX_OUTBOUND_BYTES,
        clock: ctx.clock,
        log: this.log,
      },
      {
        streamStart: (attrs) => this.enqueue(() => this.onStreamStart(attrs)),
        element: (element) => this.enqueue(() => this.onElement(element)),
        streamEnd: () => this.log.debug('client closed its stream'),
        closed: (reason) => this.queue.push(() => this.onClosed(reason)),
      },
    );
    this.channelBinding = createTlsChannelBinding(directTls ? this.stream.tlsSocket : undefined);
    this.queue = createSerialQueue({
      highWater: INBOUND_HIGH_WATER,
      onPause: () => this.stream.pause('queue'),
      onResume: () => this.stream.resume('queue'),
      onError: (error) => {
        this.log.error({ err: error }, 'session task failed');
        this.stream.fail(new StreamError('internal-server-error'));
      },
    });
    this.negotiationTimer = setTimeout(
      () => this.stream.fail(new StreamError('connection-timeout', 'stream negotiation took too long')),
      limits.negotiationTimeoutSeconds * 1000,
    );
    this.negotiationTimer.unref();
  }

  /** Queues work from the current stream; it is dropped if the stream restarts before it runs. */
  private enqueue(task: () => Promise<void> | void): void {
    const generation = this.stream.generation;
    this.queue.push(() => (generation === this.stream.generation ? task() : undefined));
  }

  get jid(): Jid {
    if (!this.boundJid) throw new Error('session is not bound');
    return this.boundJid;
  }

  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  get secure(): boolean {
    return this.stream.secure;
  }

  ref(): SessionRef {
    return sessionRefOf(this, this.ctx.nodeId);
  }

  send(stanza: Element): boolean {
    return this.stream.send(stanza);
  }

  close(error?: StreamError): void {
    if (error) this.stream.fail(error);
    else this.stream.close();
  }

  private onStreamStart(attrs: Record<string, string>): void {
    const checked = checkStreamHeader(attrs, this.ctx.hosts, NS.client);
    if (checked instanceof StreamError) {
      this.stream.fail(checked);
      return;
    }
    this.domain = checked.domain;
    const peer = tryParseJid(attrs.from);
    this.stream.sendHeader({ xmlns: NS.client, id: this.ctx.ids.next(), from: this.domain, ...(peer ? { to: peer.toString() } : {}) });
    void this.sendFeatures();
  }

  private async sendFeatures(): Promise<void> {
    if (!this.stream.secure) {
      this.stream.send(featuresElement([startTlsFeature()]));
      return;
    }
    const stage = this.account ? 'post-auth' : 'pre-auth';
    const features: Element[] =
      stage === 'pre-auth'
        ? [mechanismsFeature(offeredMechanisms(this.ctx, this)), channelBindingFeature(this.channelBinding.types())].filter((f): f is Element => f !== undefined)
        : bindFeatures();
    await this.ctx.events.fire('c2s/features', { session: undefined, stage, domain: this.domain, features });
    this.stream.send(featuresElement(features));
  }

  private async onElement(element: Element): Promise<void> {
    if (this.stream.closed) return;
    if (this.boundJid) return this.onStanza(element);
    if (this.account) return this.onBindStage(element);
    return this.onPreAuth(element);
  }

  private async onPreAuth(element: Element): Promise<void> {
    const ns = element.attrs.xmlns;
    if (element.name === 'starttls' && ns === NS.tls) return this.startTls();
    if (ns === NS.sasl) return this.onSasl(element);
    if (this.stream.secure && (element.name === 'iq' || element.name === 'message' || element.name === 'presence')) {
      const handled = await this.ctx.events.fire('c2s/unauthenticated-stanza', { stream: this, domain: this.domain, stanza: element });
      if (handled) return;
    }
    this.stream.fail(new StreamError('not-authorized', this.stream.secure ? 'authenticate first' : 'STARTTLS is required first'));
  }

  private async startTls(): Promise<void> {
    if (this.stream.secure) {
      this.stream.fail(new StreamError('policy-violation', 'TLS is already in place'));
      return;
    }
    this.stream.send(xml('proceed', { xmlns: NS.tls }));
    try {
      await this.stream.startTls({ secureContext: this.ctx.tls.forServerName(this.domain), SNICallback: this.ctx.tls.sniCallback });
    } catch (error) {
      this.log.info({ err: (error as Error).message }, 'TLS handshake failed');
      return;
    }
    this.channelBinding = createTlsChannelBinding(this.stream.tlsSocket);
  }

  private async onSasl(element: Element): Promise<void> {
    this.sasl ??= new SaslNegotiation(this.ctx, this);
    const outcome = await this.sasl.handle(element);
    if (outcome.kind === 'success') {
      this.account = createJid(outcome.username, this.domain);
      this.log = this.log.child({ account: this.account.toString() });
      this.log.info('authenticated');
      this.stream.restart();
    } else if (outcome.kind === 'failed' && outcome.attempts >= MAX_SASL_FAILURES) {
      this.stream.fail(new StreamError('not-authorized', 'too many failed authentication attempts'));
    }
  }

  private async onBindStage(element: Element): Promise<void> {
    if (isSessionRequest(element)) {
      this.stream.send(xml('iq', { type: 'result', id: element.attrs.id }));
      return;
    }
    if (!isBindRequest(element)) {
      this.stream.fail(new StreamError('not-authorized', 'bind a resource first'));
      return;
    }
    let jid: Jid;
    try {
      jid = chooseResource(this.account!, element.getChild('bind', NS.bind)!, () => this.ctx.ids.next());
    } catch (error) {
      if (!(error instanceof StanzaError)) throw error;
      const reply = errorReply(element, error);
      if (reply) this.stream.send(reply);
      return;
    }
    this.boundJid = jid;
    this.log = this.log.child({ jid: jid.toString() });
    clearTimeout(this.negotiationTimer);
    this.ctx.delivery.local.set(this.id, this);
    const replaced = await this.ctx.sessions.add(this.ref());
    if (replaced) await this.ctx.delivery.closeSession(replaced, 'conflict', 'replaced by a new session for the same resource');
    this.stream.send(bindResult(element, jid));
    this.log.info('resource bound');
    await this.ctx.events.fire('session/bound', { session: this });
  }

  private async onStanza(stanza: Element): Promise<void> {
    const ns = stanza.attrs.xmlns;
    const isStanza = stanza.name === 'message' || stanza.name === 'presence' || stanza.name === 'iq';
    if (!isStanza || (ns !== undefined && ns !== NS.client)) {
      this.stream.fail(new StreamError('unsupported-stanza-type', `<${stanza.name}/> in namespace '${ns ?? NS.client}' is not supported here`));
      return;
    }
    if (isSessionRequest(stanza)) {
      this.stream.send(xml('iq', { type: 'result', id: stanza.attrs.id }));
      return;
    }
    // RFC 6120 §8.1.2.1: the server stamps the full JID of the sender.
    stanza.attrs.from = this.jid.toString();
    if (stanza.name === 'iq') {
      const problem = isBindRequest(stanza) ? new StanzaError('not-allowed', 'a resource is already bound') : iqShapeError(stanza);
      if (problem) {
        const reply = errorReply(stanza, problem);
        if (reply) this.stream.send(reply);
        return;
      }
    }
    await this.ctx.router.route(stanza, this);
  }

  private async onClosed(reason: string): Promise<void> {
    clearTimeout(this.negotiationTimer);
    if (!this.boundJid) return;
    this.ctx.delivery.local.delete(this.id);
    await this.ctx.sessions.remove(this.ref());
    this.log.info({ reason }, 'session closed');
    await this.ctx.events.fire('session/closed', { session: this, reason });
  }
}
