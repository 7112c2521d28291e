// A connection to the first reachable target, in the resolver's order. A STARTTLS target needs
// only TCP (TLS comes inside the stream); a direct-TLS target (XEP-0368) also needs its TLS
// handshake (SNI = the remote domain, ALPN xmpp-server), and one whose handshake fails is passed
// over like one that refuses TCP. The failure text names every address tried and what went wrong
// there, since that is what an operator needs to fix a route.
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import type { Target } from './resolver.js';

/** XEP-0368 §4: the ALPN protocol of a direct-TLS server-to-server connection. */
export const ALPN_XMPP_SERVER = 'xmpp-server';

export type Connected =
  | {
      ok: true;
      /** A TLSSocket, handshake done, for a direct-TLS target; plain TCP for a STARTTLS one. */
      socket: net.Socket;
      target: Target;
      /** Targets tried before this one, and why each failed. */
      failures: string[];
    }
  | { ok: false; reason: string; failures: string[] };

export interface ConnectOptions {
  /** For each of TCP connect and TLS handshake. */
  timeoutMs: number;
  /**
   * TLS options for direct-TLS targets (our certificate, SNI = the remote domain, trust
   * anchors); without them such targets are skipped. ALPN is set here.
   */
  directTls?: Omit<ConnectionOptions, 'socket' | 'host' | 'port'>;
}

export async function connectFirst(targets: readonly Target[], options: ConnectOptions): Promise<Connected> {
  const failures: string[] = [];
  for (const target of targets) {
    const outcome = await connectOne(target, options);
    if (typeof outcome !== 'string') return { ok: true, socket: outcome, target, failures };
    failures.push(outcome);
  }
  const tlsFailed = targets.some((t) => t.kind === 'direct-tls');
  return { ok: false, reason: `${tlsFailed ? 'TCP/TLS' : 'TCP'}: ${failures.join('; ') || 'no address to connect to'}`, failures };
}

export function formatAddress(target: Pick<Target, 'host' | 'port'>): string {
  return net.isIPv6(target.host) ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

function connectOne(target: Target, options: ConnectOptions): Promise<net.Socket | string> {
  const address = formatAddress(target);
  const direct = target.kind === 'direct-tls';
  if (direct && options.directTls === undefined) return Promise.resolve(`direct TLS to ${address} not attempted (no TLS settings)`);
  const { timeoutMs } = options;
  return new Promise((resolve) => {
    const socket: net.Socket = direct
      ? tls.connect({ ...options.directTls, host: target.host, port: target.port, ALPNProtocols: [ALPN_XMPP_SERVER] })
      : net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    let connected = false;
    const giveUp = (why: string) => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Errors after giving up (e.g. a late reset) must not go unhandled.
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(why);
    };
    let timer = setTimeout(() => giveUp(`connection to ${address} timed out after ${timeoutMs} ms`), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    };
    socket.once('connect', () => {
      connected = true;
      if (!direct) return done();
      // TCP is up; the TLS handshake gets its own time.
      clearTimeout(timer);
      timer = setTimeout(() => giveUp(`direct TLS handshake with ${address} timed out after ${timeoutMs} ms`), timeoutMs);
    });
    if (direct) socket.once('secureConnect', done);
    socket.once('error', (error: NodeJS.ErrnoException & { reason?: string }) => {
      if (connected && direct) return giveUp(`direct TLS handshake with ${address} failed (${tlsProblem(error)})`);
      const why = error.code === 'ECONNREFUSED' ? 'refused' : `failed (${error.code ?? error.message})`;
      giveUp(`connection to ${address} ${why}`);
    });
  });
}

/** OpenSSL's reason (`wrong version number`, …) when there is one, else Node's message. */
function tlsProblem(error: NodeJS.ErrnoException & { reason?: string }): string {
  if (typeof error.reason === 'string' && error.reason !== '') return error.reason;
  if (error.code === 'ECONNRESET') return 'the peer closed the connection during the handshake';
  return error.message;
}

