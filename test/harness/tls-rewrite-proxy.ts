// A man in the middle for direct-TLS client streams: terminates the client's TLS with a
// certificate the test client accepts, opens its own TLS connection to the server, and rewrites
// each <stream:features/> the server sends (held until complete) before relaying it. Everything
// else passes untouched. For XEP-0474 tests: strip mechanisms and see the client notice.
import fs from 'node:fs';
import tls from 'node:tls';
import { once } from 'node:events';

export class TlsRewriteProxy {
  private constructor(private readonly server: tls.Server) {}

  static async start(options: { targetPort: number; certFile: string; keyFile: string; rewriteFeatures: (features: string) => string }): Promise<TlsRewriteProxy> {
    const server = tls.createServer({ cert: fs.readFileSync(options.certFile), key: fs.readFileSync(options.keyFile) }, (client) => {
      const upstream = tls.connect({ port: options.targetPort, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false });
      let held = '';
      client.on('data', (chunk: Buffer) => upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        held += chunk.toString('utf8');
        const open = held.indexOf('<stream:features');
        const close = held.indexOf('</stream:features>');
        if (open >= 0 && close < 0) return; // wait for the rest of the features
        const end = close >= 0 ? close + '</stream:features>'.length : held.length;
        const features = open >= 0 ? options.rewriteFeatures(held.slice(open, end)) : '';
        client.write(open >= 0 ? held.slice(0, open) + features + held.slice(end) : held);
        held = '';
      });
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new TlsRewriteProxy(server);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
