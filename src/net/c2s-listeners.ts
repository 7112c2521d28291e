// Listeners: plain TCP (c2s 5222 and s2s 5269, STARTTLS inside the stream) and direct TLS
// (XEP-0368: c2s 5223 with ALPN "xmpp-client", s2s 5270 with ALPN "xmpp-server"). The c2s ones
// make a C2sSession of each socket; s2s ones are opened by start-s2s.ts.
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
  /** Stops accepting; existing connections are left to the caller. */
  close(): Promise<void>;
}

async function listen(server: Server, name: string, config: ListenerConfig, log: Logger): Promise<ListenerHandle> {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function listenPlain(name: string, config: ListenerConfig, log: Logger, accept: (socket: Socket) => void): Promise<ListenerHandle> {
  const server = createTcpServer({ noDelay: true }, accept);
  return listen(server, name, config, log);
}

/**
 * What a direct-TLS listener may do differently from c2s: s2s (XEP-0368 on 5270) picks its
 * certificate contexts itself (with its trust anchors) and asks for the peer's certificate.
 */
export type DirectTlsOverrides = Pick<TlsOptions, 'SNICallback' | 'requestCert' | 'rejectUnauthorized' | 'ca'>;

export function listenDirectTls(
  name: string,
  config: ListenerConfig,
  tls: TlsContexts,
  alpn: string,
  log: Logger,
  accept: (socket: TLSSocket) => void,
  overrides: DirectTlsOverrides = {},
): Promise<ListenerHandle> {
  const server = createTlsServer(
    // cert/key: what clients sending no SNI get (the default domain's).
    { ...tls.defaultCertificateOptions(), SNICallback: tls.sniCallback, ALPNProtocols: [alpn], minVersion: 'TLSv1.2', noDelay: true, ...overrides },
    accept,
  );
  server.on('tlsClientError', (error) => log.debug({ listener: name, err: error.message }, 'TLS handshake failed'));
  return listen(server, name, config, log);
}
