// A loopback TCP relay between a server and its peer that a test can break the way networks do:
// from some byte onwards the first connection's traffic silently vanishes in both directions
// (the sender's writes still succeed), then `cut()` resets it. Later connections pass untouched.
import net from 'node:net';
import { EventEmitter, once } from 'node:events';

export interface TcpProxyOptions {
  /** Where to relay to (127.0.0.1). */
  targetPort: number;
  /** After this many bytes from the initiator on the first connection, everything is swallowed. */
  blackholeAfterBytes: number;
  /** Listen on this port (e.g. one a server's static route already names); default: any free one. */
  listenPort?: number;
}

export class TcpProxy extends EventEmitter {
  private readonly server: net.Server;
  private readonly pairs: Array<[net.Socket, net.Socket]> = [];
  /** Connections accepted so far. */
  connections = 0;
  /** Bytes from the initiator that were swallowed instead of relayed. */
  swallowed = 0;

  private constructor(private readonly options: TcpProxyOptions) {
    super();
    this.server = net.createServer((client) => this.relay(client));
  }

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    proxy.server.listen(options.listenPort ?? 0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Resolves once at least `bytes` from the initiator have been swallowed. */
  async swallowedAtLeast(bytes: number): Promise<void> {
    while (this.swallowed < bytes) await once(this, 'swallowed');
  }

  /** Resets the broken (first) connection on both sides, as a dead route eventually does. */
  cut(): void {
    const first = this.pairs[0];
    if (!first) return;
    for (const socket of first) socket.resetAndDestroy();
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) for (const socket of pair) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const broken = this.connections === 0;
    this.connections += 1;
    const upstream = net.connect({ host: '127.0.0.1', port: this.options.targetPort });
    this.pairs.push([client, upstream]);
    let forwarded = 0;
    let blackhole = false;
    client.on('data', (chunk: Buffer) => {
      if (broken && !blackhole && forwarded + chunk.length > this.options.blackholeAfterBytes) blackhole = true;
      if (blackhole) {
        this.swallowed += chunk.length;
        this.emit('swallowed');
        return;
      }
      forwarded += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!blackhole) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
