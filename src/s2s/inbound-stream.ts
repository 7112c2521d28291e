// One incoming server-to-server stream (RFC 6120): header checks, STARTTLS (required) unless the
// socket came from the direct-TLS listener (XEP-0368: TLS from the first byte, no STARTTLS
// offered), then the peer authenticates domains by SASL EXTERNAL (XEP-0178) or dialback
// (XEP-0220). Stanzas are accepted only from a domain authenticated on this stream, for a domain
// served here, and handed to the router in order.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { tryParseJid } from '../protocol/jid.js';
import { dropDelaysForgedByServer } from '../protocol/delay.js';
import { StreamError } from '../protocol/stream-error.js';
import { XmlStream } from '../stream/xml-stream.js';
import { checkStreamHeader } from '../c2s/header-check.js';
import { SerialQueue } from '../util/serial-queue.js';
import type { Logger } from '../util/logger.js';
import { dialbackElement, dialbackKind, dialbackResultReply, NS_DIALBACK, type DialbackErrorCondition } from './dialback.js';
import { inboundFeatures } from './inbound-features.js';
import { dialbackKeyMatches } from './dialback-key.js';
import { DialbackGate } from './dialback-gate.js';
import { InboundAcks } from './inbound-acks.js';
import { failed } from '../stream/stream-management/nonzas.js';
import { ageSeconds, streamFields, type AuthMethod, type LinkStatus, type LinkTransport } from './link-status.js';
import { s2sStreamOptions, type S2sContext } from './s2s-context.js';

/** Checks a dialback key with the originating domain's authoritative server. */
export type DialbackVerifier = (receiving: string, originating: string, streamId: string, key: string) => Promise<boolean>;

const STANZAS = new Set(['message', 'presence', 'iq']);

export class InboundStream {
  private readonly stream: XmlStream;
  private readonly queue: SerialQueue;
  private log: Logger;
  private local = '';
  private peer: string | undefined;
  private streamId = '';
  private header: Record<string, string> | undefined;
  /** Remote domains authenticated on this stream, and how. */
  private readonly authenticated = new Map<string, AuthMethod>();
  private saslDone = false;
  private readonly createdAt: number;
  private stanzasIn = 0;
  /** A socket from the direct-TLS listener is a TLSSocket, its handshake done. */
  private readonly transport: LinkTransport;
  /** Stream management (XEP-0198), when the peer enables it. */
  private readonly acks = new InboundAcks((nonza) => this.stream.send(nonza));
  /** Caps and rate-limits the dialback verifications this stream asks for. */
  private readonly dialback: DialbackGate;
  /** Until a domain is authenticated: a peer trickling bytes must not hold the stream forever. */
  private negotiationTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: S2sContext,
    socket: Socket,
    private readonly verify: DialbackVerifier,
  ) {
    this.transport = socket instanceof TLSSocket ? 'direct-tls' : 'starttls';
    this.log = ctx.log.child({ s2s: 'in', remote: socket.remoteAddress, transport: this.transport });
    this.createdAt = ctx.clock.now();
    this.stream = new XmlStream(socket, s2sStreamOptions(ctx, this.log), {
      streamStart: (attrs) => this.enqueue(() => this.onStreamStart(attrs)),
      element: (element) => this.enqueue(() => this.onElement(element)),
      streamEnd: () => this.log.debug('peer closed its stream'),
      closed: (reason) => {
        clearTimeout(this.negotiationTimer);
        this.log.debug({ reason }, 'incoming server stream closed');
      },
    });
    this.dialback = new DialbackGate(ctx.config.s2s.dialback, ctx.clock);
    const negotiationSeconds = ctx.config.limits.negotiationTimeoutSeconds;
    this.negotiationTimer = setTimeout(() => {
      this.log.info({ peer: this.peer, negotiationSeconds }, 'incoming server stream authenticated no domain in time; closing it');
      this.fail(new StreamError('connection-timeout', `no domain authenticated within ${negotiationSeconds} s`));
    }, negotiationSeconds * 1000);
    this.negotiationTimer.unref();
    this.queue = new SerialQueue(
      {
        pauseInput: () => this.stream.pause('queue'),
        resumeInput: () => this.stream.resume('queue'),
        taskFailed: (error) => {
          this.log.error({ err: error }, 'incoming server stream task failed');
          this.stream.fail(new StreamError('internal-server-error'));
        },
      },
      64,
    );
  }

  fail(error: StreamError): void {
    // The peer learns what we handled, so it sends only the rest again (on its next link).
    this.acks.flush();
    this.stream.fail(error);
  }

  /** This stream as `herald s2s status` shows it. */
  status(): LinkStatus {
    const stream = streamFields(this.stream);
    return {
      direction: 'in',
      local: this.local,
      remote: this.authenticated.size > 0 ? [...this.authenticated.keys()] : this.peer !== undefined ? [this.peer] : [],
      remoteAddress: stream.remoteAddress,
      tls: stream.tls,
      transport: this.transport,
      auth: [...this.authenticated].map(([domain, method]) => ({ domain, method })),
      state: this.authenticated.size > 0 ? 'ready' : 'negotiating',
      ageSeconds: ageSeconds(this.createdAt, this.ctx.clock.now()),
      stanzasIn: this.stanzasIn,
      stanzasOut: 0,
      queue: this.queue.size,
      bufferedBytes: stream.bufferedBytes,
    };
  }

  private enqueue(task: () => Promise<void> | void): void {
    const generation = this.stream.generation;
    this.queue.push(() => (generation === this.stream.generation ? task() : undefined));
  }

  private onStreamStart(attrs: Record<string, string>): void {
    const checked = checkStreamHeader(attrs, this.ctx.hosts, NS.server);
    if (checked instanceof StreamError) {
      this.stream.fail(checked);
      return;
    }
    this.header = attrs;
    this.local = checked.domain;
    const from = tryParseJid(attrs.from);
    this.peer = from?.isDomain ? from.domain : undefined;
    this.streamId = this.ctx.ids.next();
    this.stream.sendHeader({ xmlns: NS.server, 'xmlns:db': NS_DIALBACK, id: this.streamId, from: this.local, ...(this.peer ? { to: this.peer } : {}) });
    this.stream.send(inboundFeatures(this.ctx.tls, this.stream.secure ? this.stream.tlsSocket : undefined, this.peer, this.saslDone));
  }

  private async onElement(element: Element): Promise<void> {
    if (this.stream.closed) return;
    // Prosody and ejabberd end their side of a link with a stream error (e.g. system-shutdown
    // when they stop). RFC 6120 §4.9.1: a stream error is unrecoverable and the stream is closed
    // right after it; answering it with a stream error of our own is wrong, so log and close.
    if (element.name === 'stream:error') return this.onPeerStreamError(element);
    if (element.name === 'starttls' && element.attrs.xmlns === NS.tls) return this.startTls();
    if (!this.stream.secure) {
      this.stream.fail(new StreamError('policy-violation', 'STARTTLS is required first'));
      return;
    }
    if (element.name === 'auth' && element.attrs.xmlns === NS.sasl) return this.saslExternal(element);
    if (element.attrs.xmlns === NS.sm) return this.onStreamManagement(element);
    const kind = dialbackKind(element, this.header);
    if (kind === 'result') return this.onDialbackResult(element);
    if (kind === 'verify') return this.onDialbackVerify(element);
    if (STANZAS.has(element.name)) return this.onStanza(element);
    this.stream.fail(new StreamError('unsupported-stanza-type', `<${element.name}> is not expected here`));
  }

  private onStreamManagement(element: Element): void {
    // XEP-0198 §3: only once authenticated (Prosody and Herald enable it right after).
    if (element.name === 'enable' && this.authenticated.size === 0) {
      this.stream.send(failed('unexpected-request', undefined, 'authenticate first'));
      return;
    }
    const error = this.acks.onNonza(element);
    if (error) this.stream.fail(error);
    else if (element.name === 'enable') this.log.info({ peer: [...this.authenticated.keys()].join(',') }, 'peer enabled stream management on incoming stream');
  }

  private onPeerStreamError(element: Element): void {
    const condition = element.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS.streams && c.name !== 'text');
    this.log.info({ peer: this.peer, condition: condition?.name ?? 'undefined-condition', text: element.getChildText('text', NS.streams) ?? undefined }, 'peer sent a stream error');
    this.stream.close();
  }

  private async startTls(): Promise<void> {
    if (this.stream.secure) {
      this.stream.fail(new StreamError('policy-violation', 'TLS is already in place'));
      return;
    }
    this.stream.send(xml('proceed', { xmlns: NS.tls }));
    try {
      // The peer's certificate is asked for but judged by us, so dialback stays possible.
      await this.stream.startTls({ secureContext: this.ctx.tls.serverContext(this.local), requestCert: true, rejectUnauthorized: false });
    } catch (error) {
      this.log.info({ err: (error as Error).message }, 'TLS handshake failed');
    }
  }

  private saslExternal(element: Element): void {
    const failure = (condition: string): void => {
      this.stream.send(xml('failure', { xmlns: NS.sasl }, xml(condition)));
    };
    if (element.attrs.mechanism !== 'EXTERNAL' || this.saslDone) return failure('invalid-mechanism');
    const text = element.getText().trim();
    const authzid = text === '' || text === '=' ? undefined : Buffer.from(text, 'base64').toString('utf8');
    const identity = tryParseJid(authzid ?? this.peer);
    if (!identity?.isDomain) return failure('invalid-authzid');
    if (this.ctx.tls.peerProblem(this.stream.tlsSocket!, identity.domain) !== undefined) return failure('not-authorized');
    this.authenticatedAs(identity.domain, 'sasl-external');
    this.saslDone = true;
    this.stream.send(xml('success', { xmlns: NS.sasl }));
    this.log.info({ peer: identity.domain, method: 'sasl-external' }, 'incoming server stream authenticated');
    this.stream.restart();
  }

  private authenticatedAs(domain: string, method: AuthMethod): void {
    this.authenticated.set(domain, method);
    clearTimeout(this.negotiationTimer);
    this.negotiationTimer = undefined;
  }

  private onDialbackResult(element: Element): void {
    const from = tryParseJid(element.attrs.from);
    const to = element.attrs.to;
    if (!from?.isDomain) return this.stream.fail(new StreamError('invalid-from', 'dialback needs a domain in from'));
    if (to === undefined || !this.ctx.hosts.has(to)) return this.stream.fail(new StreamError('host-unknown', `this server does not serve '${to ?? ''}'`));
    const originating = from.domain;
    const answer = (type: 'valid' | 'invalid' | 'error', why?: string, condition?: DialbackErrorCondition) => {
      this.stream.send(dialbackResultReply(to, originating, type, why, condition));
      if (type === 'valid') {
        this.authenticatedAs(originating, 'dialback');
        this.log.info({ peer: originating, method: 'dialback' }, 'incoming server stream authenticated');
      }
    };
    const key = element.getText();
    const request = `${to} ${originating} ${key}`;
    const admission = this.dialback.admit(request);
    const { maxPendingPerStream, requestsPerMinute } = this.dialback.limits;
    if (admission === 'rate') {
      this.log.info({ peer: originating, requestsPerMinute }, 'too many dialback requests on incoming stream; closing it');
      return this.fail(new StreamError('policy-violation', `more than ${requestsPerMinute} dialback requests in a minute on this stream`));
    }
    if (admission === 'full') {
      return answer('error', `${maxPendingPerStream} dialback verifications are already pending on this stream; ask again once they are answered`, 'resource-constraint');
    }
    const certProblem = this.ctx.tls.peerProblem(this.stream.tlsSocket!, originating);
    // A trusted certificate for the claimed domain is proof enough (as XEP-0344 allows).
    if (certProblem === undefined || this.ctx.config.s2s.requireValidCertificates) {
      this.dialback.done(request);
      return certProblem === undefined ? answer('valid') : answer('invalid', certProblem);
    }
    // Verification takes a round trip elsewhere; later elements need not wait for it.
    this.verify(to, originating, this.streamId, key)
      .then(
        (valid) => answer(valid ? 'valid' : 'invalid', valid ? undefined : `the authoritative server of ${originating} did not confirm the key`),
        (error: unknown) => answer('error', `cannot verify with ${originating}: ${(error as Error).message}`),
      )
      .finally(() => this.dialback.done(request));
  }

  /** We are the authoritative server: did we issue this key? */
  private onDialbackVerify(element: Element): void {
    const { from, to, id } = element.attrs;
    if (to === undefined || !this.ctx.hosts.has(to)) return this.stream.fail(new StreamError('host-unknown', `this server does not serve '${to ?? ''}'`));
    if (from === undefined || id === undefined) return this.stream.fail(new StreamError('improper-addressing', 'db:verify needs from and id'));
    const valid = dialbackKeyMatches(this.ctx.secret, from, to, id, element.getText());
    this.stream.send(dialbackElement('verify', { from: to, to: from, id, type: valid ? 'valid' : 'invalid' }));
  }

  private async onStanza(element: Element): Promise<void> {
    const from = tryParseJid(element.attrs.from);
    const to = tryParseJid(element.attrs.to);
    if (this.authenticated.size === 0) return this.stream.fail(new StreamError('not-authorized', 'authenticate first'));
    if (!from || !to) return this.stream.fail(new StreamError('improper-addressing', 'stanzas between servers need valid from and to'));
    if (!this.authenticated.has(from.domain)) return this.stream.fail(new StreamError('invalid-from', `'${from.domain}' is not authenticated on this stream`));
    if (!this.ctx.hosts.has(to.domain)) return this.stream.fail(new StreamError('host-unknown', `this server does not serve '${to.domain}'`));
    if (element.attrs.xmlns === NS.server) delete element.attrs.xmlns;
    // XEP-0203: a stamp may name only domains this peer proved it serves (protocol/delay.ts).
    if (element.name !== 'iq') dropDelaysForgedByServer(element, this.authenticated);
    this.stanzasIn += 1;
    this.ctx.events?.notify('s2s/stanza-in', element);
    await this.ctx.router.route(element);
    this.acks.handled(this.ctx.delivery?.settled());
  }
}
