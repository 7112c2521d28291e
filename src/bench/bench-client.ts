// One raw XMPP client connection for the load generator: TCP → STARTTLS → (XEP-0077 register) →
// SCRAM-SHA-1 → bind → presence, then pre-serialised stanzas out and tokenized stanza texts in.
// Works against any server; certificates are not verified (benches use self-signed ones).
import net from 'node:net';
import tls from 'node:tls';
import { ScramSha1Client } from './scram-client.js';
import { StanzaTokenizer, childText, escapeXml, stanzaName, topAttr } from './tokenizer.js';

export interface Target {
  host: string;
  port: number;
  domain: string;
}

const NEGOTIATION_TIMEOUT_MS = 30_000;

export interface ConnectOptions {
  tlsSession?: Buffer | undefined;
  localAddress?: string;
  secureContext?: tls.SecureContext;
}

export class BenchClient {
  /** Steady-state receiver; while unset, stanzas queue up for next(). */
  handler: ((text: string) => void) | undefined;
  /** Set when the stream or socket failed; the bench counts it as an error. */
  failure: Error | undefined;
  jid = '';
  private socket: net.Socket;
  private readonly tokenizer: StanzaTokenizer;
  private readonly queue: string[] = [];
  private waiter: { resolve(text: string): void; reject(error: Error): void } | undefined;
  private readonly iqWaiters = new Map<string, { resolve(text: string): void; reject(error: Error): void }>();
  private readonly closed: Promise<void>;
  private iqSeq = 0;
  /** XEP-0198: stanzas received since <enabled/>, answered on each <r/>; undefined while off. */
  private smHandled: number | undefined;
  /** XEP-0198 <r/> the server sent this client (each answered). */
  ackRequests = 0;

  private constructor(
    readonly target: Target,
    socket: net.Socket,
  ) {
    this.socket = socket;
    this.tokenizer = new StanzaTokenizer({ onStanza: (text) => this.dispatch(text), onEnd: () => this.fail(new Error('server closed the stream')) });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.listen(socket);
  }

  /** The <stream:features/> after STARTTLS (what to authenticate with). */
  features = '';
  /** A TLS session the server offered for resumption (RFC 8446 §4.6.1 ticket), once it arrives. */
  tlsSession: Buffer | undefined;

  /**
   * Opens the stream and upgrades it with STARTTLS; `tlsSession` resumes an earlier TLS session,
   * `localAddress` picks the source address (the scale scenario spreads 100,000 connections over
   * several so ephemeral ports last), `secureContext` shares one OpenSSL context between clients.
   */
  static async connect(target: Target, options: ConnectOptions = {}): Promise<BenchClient> {
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new BenchClient(target, socket);
    const features = await client.openStream();
    if (!features.includes('urn:ietf:params:xml:ns:xmpp-tls')) throw new Error('server offers no STARTTLS');
    client.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    const proceed = await client.next();
    if (stanzaName(proceed) !== 'proceed') throw new Error(`STARTTLS refused: ${proceed}`);
    socket.removeAllListeners('data');
    const tlsSocket = tls.connect({
      socket,
      servername: target.domain,
      rejectUnauthorized: false,
      ...(options.tlsSession ? { session: options.tlsSession } : {}),
      ...(options.secureContext ? { secureContext: options.secureContext } : {}),
    });
    tlsSocket.on('session', (session: Buffer) => (client.tlsSession = session));
    client.socket = tlsSocket;
    await new Promise<void>((resolve, reject) => {
      client.socket.once('secureConnect', resolve);
      client.socket.once('error', reject);
    });
    client.listen(client.socket);
    client.features = await client.openStream();
    return client;
  }

  /** XEP-0077 in-band registration on the secured, unauthenticated stream. */
  async register(username: string, password: string): Promise<'created' | 'exists'> {
    const reply = await this.iq(
      `<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>${escapeXml(username)}</username><password>${escapeXml(password)}</password></query></iq>`,
      'reg',
    );
    if (topAttr(reply, 'type') === 'result') return 'created';
    if (reply.includes('<conflict')) return 'exists';
    throw new Error(`registration of ${username} failed: ${reply}`);
  }

  /**
   * SCRAM-SHA-1, stream restart, resource binding; then XEP-0198 stream management when asked
   * (as every mainstream client does: each <r/> is answered with the count), then initial presence.
   */
  async login(username: string, password: string, options: { resource?: string; presence?: boolean; sm?: boolean } = {}): Promise<void> {
    const scram = new ScramSha1Client(username, password);
    this.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${b64(scram.first())}</auth>`);
    const challenge = await this.next();
    if (stanzaName(challenge) !== 'challenge') throw new Error(`login of ${username} failed: ${challenge}`);
    this.send(`<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${b64(scram.final(unb64(challenge)))}</response>`);
    let success = await this.next();
    if (stanzaName(success) === 'challenge') {
      // RFC 6120 allows the server-final message in a last challenge, answered with an empty response.
      this.send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
      const final = unb64(success);
      success = await this.next();
      if (stanzaName(success) === 'success' && !scram.verify(final)) throw new Error('server signature mismatch');
    } else if (stanzaName(success) === 'success' && !scram.verify(unb64(success))) {
      throw new Error('server signature mismatch');
    }
    if (stanzaName(success) !== 'success') throw new Error(`login of ${username} failed: ${success}`);
    await this.openStream();
    const resource = options.resource ?? 'bench';
    const bound = await this.iq(
      `<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${escapeXml(resource)}</resource></bind></iq>`,
      'bind',
    );
    this.jid = childText(bound, 'jid') ?? '';
    if (topAttr(bound, 'type') !== 'result' || !this.jid) throw new Error(`bind failed: ${bound}`);
    if (options.sm) {
      this.send("<enable xmlns='urn:xmpp:sm:3'/>");
      const answer = await this.next();
      if (stanzaName(answer) !== 'enabled') throw new Error(`stream management refused: ${answer}`);
      this.smHandled = 0;
    }
    if (options.presence !== false) this.send('<presence/>');
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Sends an IQ and resolves with the reply carrying the same id. */
  iq(text: string, id: string): Promise<string> {
    return this.withTimeout(
      new Promise<string>((resolve, reject) => this.iqWaiters.set(id, { resolve, reject })),
      `no reply to iq ${id}`,
      () => this.send(text),
    );
  }

  /** A server ping (XEP-0199): its reply proves every stanza sent before it was processed. */
  ping(): Promise<string> {
    const id = `p${++this.iqSeq}`;
    return this.iq(`<iq type='get' id='${id}' to='${this.target.domain}'><ping xmlns='urn:xmpp:ping'/></iq>`, id);
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.socket.end('</stream:stream>');
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      await this.closed;
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Whether the TLS handshake resumed an earlier session. */
  get tlsResumed(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.isSessionReused();
  }

  /** Next queued stanza during negotiation. */
  next(): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return this.withTimeout(new Promise<string>((resolve, reject) => (this.waiter = { resolve, reject })), 'negotiation timed out');
  }

  /** Everything received and not yet taken by next(), removed from the queue. */
  takeQueued(): string[] {
    return this.queue.splice(0);
  }

  private async openStream(): Promise<string> {
    this.send(
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${escapeXml(this.target.domain)}' version='1.0'>`,
    );
    const features = await this.next();
    if (stanzaName(features) !== 'stream:features') throw new Error(`expected stream features, got ${features.slice(0, 200)}`);
    return features;
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.tokenizer.feed(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private dispatch(text: string): void {
    if (this.smHandled !== undefined) {
      if (text.startsWith('<r ') || text.startsWith('<r/')) {
        this.ackRequests++;
        return this.send(`<a xmlns='urn:xmpp:sm:3' h='${this.smHandled}'/>`);
      }
      if (text.startsWith('<message') || text.startsWith('<presence') || text.startsWith('<iq')) this.smHandled = (this.smHandled + 1) % 2 ** 32;
    }
    if (this.iqWaiters.size > 0 && text.startsWith('<iq')) {
      const id = topAttr(text, 'id');
      const waiter = id === undefined ? undefined : this.iqWaiters.get(id);
      if (waiter && id !== undefined) {
        this.iqWaiters.delete(id);
        waiter.resolve(text);
        return;
      }
    }
    if (text.startsWith('<stream:error')) this.fail(new Error(`stream error: ${text}`));
    if (this.handler) return this.handler(text);
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(text);
    } else {
      this.queue.push(text);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.iqWaiters.values()) pending.reject(error);
    this.iqWaiters.clear();
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  private withTimeout<T>(promise: Promise<T>, message: string, start?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure ?? new Error(message)), NEGOTIATION_TIMEOUT_MS);
    });
    start?.();
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The base64 text content of a SASL element, decoded. */
export function unb64(stanza: string): string {
  const gt = stanza.indexOf('>');
  const close = stanza.lastIndexOf('</');
  if (stanza.charCodeAt(gt - 1) === 47 || close < gt) return '';
  return Buffer.from(stanza.slice(gt + 1, close).trim(), 'base64').toString('utf8');
}
