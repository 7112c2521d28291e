// The HTTP(S) listeners (default 5443 with TLS on the domains' certificates, SNI as for c2s; 5280
// plain on loopback for a reverse proxy). They answer the routes modules registered, hand
// WebSocket upgrades to the RFC 7395 endpoint, and bound what one address or request may hold.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpConfig, ListenerConfig } from '../config/types.js';
import type { TlsContexts } from '../net/tls-contexts.js';
import { listen, type ListenerHandle } from '../net/c2s-listeners.js';
import { createAddressLimits, isRefusal } from '../net/address-limits.js';
import type { Logger } from '../util/logger.js';
import type { HttpRoute, HttpRoutes, RequestOrigin } from './http-routes.js';
import { requestOrigin, type OriginPolicy } from './request-origin.js';
import { WEBSOCKET_PATH, type WebSocketEndpoint } from './websocket/websocket-endpoint.js';

export interface HttpListenerDeps {
  http: HttpConfig;
  listeners: { http: ListenerConfig; https: ListenerConfig };
  tls: TlsContexts;
  policy: OriginPolicy;
  routes: HttpRoutes;
  websocket: WebSocketEndpoint;
  tlsHandshakeTimeoutMs: number;
  log: Logger;
}

/** A browser may cache a preflight answer this long (seconds). */
const PREFLIGHT_MAX_AGE = 86400;
/** Largest request head (request line and headers) accepted. */
const MAX_HEADER_BYTES = 16 * 1024;

export function plainAnswer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function corsHeaders(route: HttpRoute): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': '*' };
  const expose = route.cors?.exposeHeaders;
  if (expose?.length) headers['Access-Control-Expose-Headers'] = expose.join(', ');
  return headers;
}

export async function startHttpListeners(deps: HttpListenerDeps): Promise<ListenerHandle[]> {
  const { http, log } = deps;
  // Counted at TCP accept, before TLS or parsing; a trusted proxy carries many clients and is not.
  const limits = createAddressLimits({ maxConnectionsPerAddress: http.maxConnectionsPerAddress, maxUnauthenticatedPerAddress: http.maxConnectionsPerAddress });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = requestOrigin(req, deps.policy);
    const url = new URL(req.url ?? '/', 'http://request.invalid');
    if (url.pathname === WEBSOCKET_PATH) {
      return plainAnswer(res, 426, 'this is the XMPP WebSocket endpoint (RFC 7395): connect with a WebSocket client, subprotocol "xmpp"\n', { Upgrade: 'websocket' });
    }
    const route = deps.routes.find(url.pathname);
    if (!route) return plainAnswer(res, 404, `nothing is served at ${url.pathname}\n`);
    const allowed = [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : []), ...(route.cors ? ['OPTIONS'] : [])];
    if (req.method === 'OPTIONS' && route.cors) {
      res.writeHead(204, {
        ...corsHeaders(route),
        'Access-Control-Allow-Methods': allowed.join(', '),
        'Access-Control-Allow-Headers': (route.cors.allowHeaders ?? []).join(', ') || 'Content-Type',
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE),
      });
      return void res.end();
    }
    if (!allowed.includes(req.method ?? '')) return plainAnswer(res, 405, `${req.method} is not allowed here; use ${allowed.join(', ')}\n`, { Allow: allowed.join(', ') });
    if (route.cors) for (const [name, value] of Object.entries(corsHeaders(route))) res.setHeader(name, value);
    try {
      await route.handle({ req, res, url, origin });
    } catch (error) {
      log.error({ err: error, path: url.pathname }, 'HTTP handler failed');
      if (!res.headersSent) plainAnswer(res, 500, 'internal server error\n');
      else res.destroy();
    }
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const origin: RequestOrigin = requestOrigin(req, deps.policy);
    const path = new URL(req.url ?? '/', 'http://request.invalid').pathname;
    if (path !== WEBSOCKET_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    deps.websocket.upgrade(req, socket, head, origin);
  }

  function configure(server: Server, name: string): void {
    server.maxHeadersCount = 100;
    server.headersTimeout = http.headersTimeoutSeconds * 1000;
    // No whole-request deadline: an upload of gigabytes over a slow link is legitimate. A
    // connection that stops moving is dropped by the idle timeout instead.
    server.requestTimeout = 0;
    server.timeout = http.idleTimeoutSeconds * 1000;
    server.keepAliveTimeout = 5000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res));
    server.on('upgrade', onUpgrade);
    server.on('connection', (raw: Socket) => {
      if (deps.policy.trustedProxies.has(raw.remoteAddress ?? '')) return;
      const outcome = limits.admit(raw.remoteAddress);
      if (isRefusal(outcome)) {
        if (outcome.first) log.warn({ listener: name, address: outcome.key }, `refusing HTTP connections: ${outcome.text}`);
        raw.destroy();
        return;
      }
      raw.once('close', () => limits.release(outcome));
    });
    server.on('clientError', (error, socket) => {
      log.debug({ listener: name, err: error.message }, 'bad HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  const handles: ListenerHandle[] = [];
  try {
    if (deps.listeners.https.enabled) {
      const server = createHttpsServer({
        ...deps.tls.defaultCertificateOptions(),
        SNICallback: deps.tls.sniCallback,
        minVersion: 'TLSv1.2',
        ALPNProtocols: ['http/1.1'],
        handshakeTimeout: deps.tlsHandshakeTimeoutMs,
        maxHeaderSize: MAX_HEADER_BYTES,
      });
      configure(server, 'https');
      server.on('tlsClientError', (_error, socket) => socket.destroy());
      const handle = await listen(server, 'https', deps.listeners.https, log, () => server.closeAllConnections());
      deps.routes.httpsPort = handle.port;
      handles.push(handle);
    }
    if (deps.listeners.http.enabled) {
      const server = createHttpServer({ maxHeaderSize: MAX_HEADER_BYTES });
      configure(server, 'http');
      handles.push(await listen(server, 'http', deps.listeners.http, log, () => server.closeAllConnections()));
    }
  } catch (error) {
    await Promise.all(handles.map((h) => h.close()));
    throw error;
  }
  return handles;
}
