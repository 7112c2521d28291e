// Client listeners: 5222 plain TCP with STARTTLS (RFC 6120) and 5223 direct TLS (XEP-0368,
// ALPN "xmpp-client"). Each accepted socket becomes a C2sSession.
import { createServer as createTcpServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
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

export function listenDirectTls(
  name: string,
  config: ListenerConfig,
  tls: TlsContexts,
  alpn: string,
  log: Logger,
  accept: (socket: Socket) => void,
): Promise<ListenerHandle> {
  const server = createTlsServer(
    // cert/key: what clients sending no SNI get (the default domain's).
    { ...tls.defaultCertificateOptions(), SNICallback: tls.sniCallback, ALPNProtocols: [alpn], minVersion: 'TLSv1.2', noDelay: true },
    accept,
  );
  server.on('tlsClientError', (error) => log.debug({ listener: name, err: error.message }, 'TLS handshake failed'));
  return listen(server, name, config, log);
}
