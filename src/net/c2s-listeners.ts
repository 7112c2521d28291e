// Listeners: plain TCP (c2s 5222 and s2s 5269, STARTTLS inside the stream) and direct TLS
// (XEP-0368: c2s 5223 with ALPN "xmpp-client", s2s 5270 with ALPN "xmpp-server"). The c2s ones
// make a ClientConnection of each socket; s2s ones are opened by start-s2s.ts.
import { createServer as createTcpServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { once } from 'node:events';
import type { ListenerConfig } from '../config/types.js';
import type { TlsContexts } from './tls-contexts.js';
import type { Logger } from '../util/logger.js';

export interface ListenerHandle {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting and drops connections still in their TLS handshake; resolves at once.
   * Connections handed to `accept` are the caller's to close (net.Server's own close callback
   * would wait for every one of them, i.e. on the peers).
   */
  close(): Promise<void>;
}

/**
 * Decides about each new TCP connection before anything else is spent on it (before the TLS
 * handshake on direct TLS). `admit` returns a token, or undefined when it refused the
 * connection (it has answered or destroyed the socket itself); `release` gets the token back
 * when the TCP connection closes.
 */
export interface ConnectionGate<T> {
  admit(socket: Socket): T | undefined;
  release(token: T): void;
}

export async function listen(server: Server, name: string, config: ListenerConfig, log: Logger, dropPending: () => void): Promise<ListenerHandle> {
  server.listen(config.port, config.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw new Error(`cannot listen for ${name} on ${config.host}:${config.port}: ${(error as Error).message}`);
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  log.info({ listener: name, host: config.host, port }, `listening for ${name} on ${config.host}:${port}`);
  return {
    name,
    host: config.host,
    port,
    close: async () => {
      server.close();
      dropPending();
    },
  };
}

/** Tokens by socket, released by one shared 'close' listener (no closure per connection). */
function gateTracker<T>(gate: ConnectionGate<T> | undefined) {
  const tokens = new WeakMap<Socket, T>();
  function releaseOnClose(this: Socket): void {
    const token = tokens.get(this);
    if (token !== undefined) gate!.release(token);
  }
  return {
    /** The token for a new socket; undefined means refused. With no gate every socket is admitted. */
    admit(socket: Socket): { token: T | undefined } | undefined {
      if (gate === undefined) return { token: undefined };
      const token = gate.admit(socket);
      if (token === undefined) return undefined;
      tokens.set(socket, token);
      socket.once('close', releaseOnClose);
      return { token };
    },
  };
}

export function listenPlain<T = never>(
  name: string,
  config: ListenerConfig,
  log: Logger,
  accept: (socket: Socket, token: T | undefined) => void,
  gate?: ConnectionGate<T>,
): Promise<ListenerHandle> {
  const tracker = gateTracker(gate);
  const server = createTcpServer({ noDelay: true }, (socket) => {
    const admitted = tracker.admit(socket);
    if (admitted) accept(socket, admitted.token);
  });
  return listen(server, name, config, log, () => undefined);
}

/**
 * What a direct-TLS listener may do differently from c2s: s2s (XEP-0368 on 5270) picks its
 * certificate contexts itself (with its trust anchors) and asks for the peer's certificate.
 */
export type DirectTlsOverrides = Pick<TlsOptions, 'SNICallback' | 'requestCert' | 'rejectUnauthorized' | 'ca'>;

export interface DirectTlsOptions<T> {
  /** A connection whose handshake has not finished by then is dropped (limits.tlsHandshakeTimeoutSeconds). */
  handshakeTimeoutMs: number;
  overrides?: DirectTlsOverrides;
  gate?: ConnectionGate<T>;
}

/** A TCP connection whose TLS handshake has not finished yet. */
interface Handshaking<T> {
  readonly raw: Socket;
  readonly endpoint: string;
  readonly token: T | undefined;
}

// Node hands the listener a TLSSocket distinct from the TCP socket it wraps, with no public link
// between them; both report the same remote address and port, which tie them together.
const endpointOf = (socket: Socket): string => `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

export function listenDirectTls<T = never>(
  name: string,
  config: ListenerConfig,
  tls: TlsContexts,
  alpn: string,
  log: Logger,
  accept: (socket: TLSSocket, token: T | undefined) => void,
  options: DirectTlsOptions<T>,
): Promise<ListenerHandle> {
  const tracker = gateTracker(options.gate);
  const handshaking = new Map<string, Handshaking<T>>();
  const byRaw = new WeakMap<Socket, Handshaking<T>>();
  function forgetOnClose(this: Socket): void {
    const pending = byRaw.get(this);
    if (pending && handshaking.get(pending.endpoint) === pending) handshaking.delete(pending.endpoint);
  }

  const server = createTlsServer(
    {
      // cert/key: what clients sending no SNI get (the default domain's).
      ...tls.defaultCertificateOptions(),
      SNICallback: tls.sniCallback,
      ALPNProtocols: [alpn],
      minVersion: 'TLSv1.2',
      noDelay: true,
      handshakeTimeout: options.handshakeTimeoutMs,
      ...options.overrides,
    },
    (socket) => {
      const pending = handshaking.get(endpointOf(socket));
      if (pending) handshaking.delete(pending.endpoint);
      accept(socket, pending?.token);
    },
  );
  // Counted (and refused) on the TCP connection, before any handshake work is spent on it.
  server.on('connection', (raw: Socket) => {
    const admitted = tracker.admit(raw);
    if (!admitted) return;
    const pending: Handshaking<T> = { raw, endpoint: endpointOf(raw), token: admitted.token };
    handshaking.set(pending.endpoint, pending);
    byRaw.set(raw, pending);
    raw.once('close', forgetOnClose);
  });
  // Node only reports a failed or timed-out handshake here and leaves the socket open: without
  // the destroy, an idle TCP connection would stay forever (and hold up a shutdown).
  server.on('tlsClientError', (error, socket) => {
    log.debug({ listener: name, err: error.message }, 'TLS handshake failed');
    socket.destroy();
  });
  const dropPending = () => {
    for (const pending of handshaking.values()) pending.raw.destroy();
    handshaking.clear();
  };
  return listen(server, name, config, log, dropPending);
}
