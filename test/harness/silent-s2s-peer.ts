// A scripted receiving server for one remote domain that takes stanzas but never acknowledges
// them: STARTTLS, dialback answered "valid" without checking, stream management offered and
// enabled, then silence. It records the message ids each connection carried, so a test can see
// what Herald sent again after giving up on a link. Test-only: it trusts anything. As the
// authoritative server of its domain it can also answer dialback verifications (`verify`:
// 'valid' answers each <db:verify/> at once, 'never' leaves it unanswered). With `result:
// 'chatter'` it never answers a <db:result/> but sends a meaningless element every 300 ms instead,
// as a peer stringing a negotiation along would.
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { generateSelfSigned } from '../../src/net/certificates.js';

export class SilentS2sPeer {
  /** Message ids seen, one list per connection, in arrival order. */
  readonly connections: string[][] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  /** Dialback verifications received, across all connections. */
  verifyRequests = 0;

  private constructor(
    private readonly domain: string,
    private readonly verify: 'valid' | 'never',
    private readonly result: 'valid' | 'chatter',
  ) {
    const { certPem, keyPem } = generateSelfSigned([domain]);
    this.server = net.createServer((socket) => this.serve(socket, certPem, keyPem));
  }

  static async start(domain: string, options: { verify?: 'valid' | 'never'; result?: 'valid' | 'chatter' } = {}): Promise<SilentS2sPeer> {
    const peer = new SilentS2sPeer(domain, options.verify ?? 'never', options.result ?? 'valid');
    peer.server.listen(0, '127.0.0.1');
    await once(peer.server, 'listening');
    return peer;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private header(): string {
    const id = Math.random().toString(36).slice(2);
    return `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${this.domain}' id='${id}' version='1.0'>`;
  }

  private serve(plain: net.Socket, cert: string, key: string): void {
    this.sockets.add(plain);
    plain.on('error', () => undefined);
    const ids: string[] = [];
    this.connections.push(ids);
    let text = '';
    plain.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('<stream:stream') && !text.includes('<starttls')) {
        if (!plain.writableEnded && !text.includes('#sent')) {
          plain.write(`${this.header()}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`);
          text += '#sent';
        }
        return;
      }
      if (!text.includes('<starttls')) return;
      plain.removeAllListeners('data');
      plain.write(`<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
      const secure = new tls.TLSSocket(plain, { isServer: true, cert, key });
      this.sockets.add(secure);
      secure.on('error', () => undefined);
      let inner = '';
      let greeted = false;
      let authenticated = false;
      secure.on('data', (data: Buffer) => {
        inner += data.toString('utf8');
        if (!greeted && inner.includes('<stream:stream')) {
          greeted = true;
          secure.write(`${this.header()}<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback><sm xmlns='urn:xmpp:sm:3'/></stream:features>`);
        }
        const result = /<db:result[^>]*from=['"]([^'"]+)['"]/.exec(inner);
        if (!authenticated && result) {
          authenticated = true;
          if (this.result === 'valid') secure.write(`<db:result from='${this.domain}' to='${result[1]}' type='valid'/>`);
          else {
            const chatter = setInterval(() => secure.write('<presence/>'), 300);
            secure.once('close', () => clearInterval(chatter));
          }
        }
        if (inner.includes('<enable ') && !inner.includes('#enabled')) {
          secure.write(`<enabled xmlns='urn:xmpp:sm:3'/>`);
          inner += '#enabled';
        }
        for (const match of inner.matchAll(/<db:verify ([^>]*)>[^<]*<\/db:verify>/g)) {
          inner = inner.replace(match[0], '');
          this.verifyRequests += 1;
          if (this.verify === 'never') continue;
          const attrs = Object.fromEntries([...match[1]!.matchAll(/(\w+)=['"]([^'"]*)['"]/g)].map((m) => [m[1], m[2]]));
          secure.write(`<db:verify from='${attrs.to}' to='${attrs.from}' id='${attrs.id}' type='valid'/>`);
        }
        // Record message ids as they complete, once each; never answer <r/>.
        for (const match of inner.matchAll(/<message [^>]*id=['"]([^'"]+)['"][^>]*>[\s\S]*?<\/message>/g)) {
          if (!ids.includes(match[1]!)) ids.push(match[1]!);
        }
      });
    });
  }
}
