// A raw XML test client: real TCP/TLS sockets, bytes we choose on the wire, and received
// elements parsed by xmpp.js's parser (independent of Herald's own) for structural matching.
import net from 'node:net';
import tls from 'node:tls';
import { StringDecoder } from 'node:string_decoder';
import { Parser, type Element } from '@xmpp/xml';

export type Matcher = (element: Element) => boolean;

interface Waiter {
  match: Matcher;
  resolve: (element: Element) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 5_000;

export class XmlClient {
  /** Elements received and not yet taken by a `next` call. */
  readonly inbox: Element[] = [];
  /** Every element ever received, in order. */
  readonly received: Element[] = [];
  streamAttrs: Record<string, string> | undefined;
  streamEnded = false;
  raw = '';
  private parser!: InstanceType<typeof Parser>;
  private decoder = new StringDecoder('utf8');
  private waiters: Waiter[] = [];
  private headerWaiters: Array<(attrs: Record<string, string>) => void> = [];
  private readonly closedPromise: Promise<void>;

  private constructor(private socket: net.Socket) {
    this.resetParser();
    this.attach(socket);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** `localAddress`: connect from another loopback address (127.0.0.2 …), i.e. as another client host. */
  static async connect(
    port: number,
    options: { tls?: boolean; servername?: string; host?: string; alpn?: string[]; localAddress?: string; maxVersion?: tls.SecureVersion } = {},
  ): Promise<XmlClient> {
    const host = options.host ?? '127.0.0.1';
    const from = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
    const version = options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion };
    const socket = options.tls
      ? tls.connect({ port, host, ...from, ...version, servername: options.servername ?? 'localhost', rejectUnauthorized: false, ALPNProtocols: options.alpn ?? ['xmpp-client'] })
      : net.connect({ port, host, ...from });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new XmlClient(socket);
  }

  get tlsSocket(): tls.TLSSocket | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket : undefined;
  }

  send(data: string | Element): void {
    this.socket.write(typeof data === 'string' ? data : data.toString());
  }

  sendBytes(data: Buffer): void {
    this.socket.write(data);
  }

  /** Opens (or reopens, after a restart) a stream and waits for the server's header. */
  async open(to = 'localhost', extra = ''): Promise<Record<string, string>> {
    this.streamAttrs = undefined;
    this.resetParser();
    this.send(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${to}' version='1.0'${extra}>`);
    return this.header();
  }

  header(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Record<string, string>> {
    if (this.streamAttrs) return Promise.resolve(this.streamAttrs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no stream header within ${timeoutMs} ms; got: ${this.raw.slice(-500)}`)), timeoutMs);
      this.headerWaiters.push((attrs) => {
        clearTimeout(timer);
        resolve(attrs);
      });
    });
  }

  /** The next received element matching; unmatched ones stay in the inbox for later calls. */
  next(match: Matcher | string = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Element> {
    const matcher = typeof match === 'string' ? (el: Element) => el.name === match : match;
    const index = this.inbox.findIndex(matcher);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: matcher,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no matching element within ${timeoutMs} ms; inbox: ${this.inbox.map(String).join(' ').slice(0, 1500)}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The stream error condition the server sent, waiting for it. */
  async streamError(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const error = await this.next((el) => el.name === 'stream:error', timeoutMs);
    const condition = error.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-streams' && c.name !== 'text');
    return condition?.name ?? '(none)';
  }

  /** Client side of STARTTLS after `<proceed/>`. */
  async upgradeTls(servername = 'localhost'): Promise<tls.TLSSocket> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secured = tls.connect({ socket: plain, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', () => resolve());
      secured.once('error', reject);
    });
    this.socket = secured;
    this.decoder = new StringDecoder('utf8');
    this.attach(secured);
    return secured;
  }

  closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return Promise.race([
      this.closedPromise,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Stops reading from the socket (a client that does not keep up); resume() reads again. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Bytes this client has written that the server has not taken yet. */
  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  end(): void {
    this.socket.end('</stream:stream>');
  }

  destroy(): void {
    this.socket.destroy();
  }

  resetParser(): void {
    this.parser = new Parser();
    this.parser.on('start', (el: Element) => {
      this.streamAttrs = el.attrs as Record<string, string>;
      for (const resolve of this.headerWaiters.splice(0)) resolve(this.streamAttrs);
    });
    this.parser.on('element', (el: Element) => this.deliver(el));
    this.parser.on('end', () => (this.streamEnded = true));
    this.parser.on('error', () => undefined);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      const text = this.decoder.write(chunk);
      this.raw += text;
      this.parser.write(text);
    });
    socket.on('error', () => undefined);
  }

  private observers: Array<(element: Element) => void> = [];

  /** Calls `observer` with every element received from now on (before any waiter sees it). */
  observe(observer: (element: Element) => void): void {
    this.observers.push(observer);
  }

  private deliver(el: Element): void {
    this.received.push(el);
    for (const observer of this.observers) observer(el);
    const waiter = this.waiters.find((w) => w.match(el));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(el);
      return;
    }
    this.inbox.push(el);
  }
}
