// A raw RFC 7395 test client: one real WebSocket over TLS (the `ws` package), messages we choose
// on the wire, and each received message parsed by ltx (independent of Herald's parser).
import WebSocket from 'ws';
import { parse, type Element } from 'ltx';

export const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const DEFAULT_TIMEOUT_MS = 5_000;

type Matcher = (element: Element) => boolean;

export class WsXmlClient {
  readonly inbox: Element[] = [];
  readonly received: Element[] = [];
  private waiters: Array<{ match: Matcher; resolve: (e: Element) => void; timer: NodeJS.Timeout }> = [];
  readonly closedPromise: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.deliver(parse(data.toString('utf8')) as Element));
    ws.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a WebSocket to `wss://127.0.0.1:<port>/xmpp-websocket`; rejects with the HTTP status when refused. */
  static async connect(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<WsXmlClient> {
    const ws = new WebSocket(url, options.protocols ?? ['xmpp'], { rejectUnauthorized: false, headers: options.headers ?? {} });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return new WsXmlClient(ws);
  }

  send(message: string): void {
    this.ws.send(message);
  }

  /** Sends <open/> and waits for the server's. */
  open(to = 'localhost'): Promise<Element> {
    this.send(`<open xmlns='${NS_FRAMING}' to='${to}' version='1.0'/>`);
    return this.next((e) => e.name === 'open' && e.attrs.xmlns === NS_FRAMING);
  }

  next(match: Matcher | string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Element> {
    const matcher = typeof match === 'string' ? (e: Element) => e.name === match : match;
    const index = this.inbox.findIndex(matcher);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: matcher,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no matching message within ${timeoutMs} ms; inbox: ${this.inbox.map(String).join(' ').slice(0, 1500)}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The condition of the stream error the server sent. */
  async streamError(): Promise<{ condition: string; text: string | null }> {
    const error = await this.next('stream:error');
    const condition = error.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text');
    return { condition: condition?.name ?? '(none)', text: error.getChildText('text') };
  }

  closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closedPromise,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`WebSocket not closed within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  /** Drops the TCP connection without any closing handshake (a phone losing its network). */
  terminate(): void {
    this.ws.terminate();
  }

  private deliver(e: Element): void {
    this.received.push(e);
    const waiter = this.waiters.find((w) => w.match(e));
    if (!waiter) return void this.inbox.push(e);
    this.waiters = this.waiters.filter((w) => w !== waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(e);
  }
}
