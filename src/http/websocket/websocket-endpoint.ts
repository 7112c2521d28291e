// The RFC 7395 endpoint: checks an HTTP upgrade (TLS, the "xmpp" subprotocol, the address's
// connection limits) and hands each accepted WebSocket, as a StreamSocket, to the same client
// connection code TCP uses.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RequestOrigin } from '../http-routes.js';
import { isRefusal, type AddressAdmission, type AddressLimits } from '../../net/address-limits.js';
import type { Logger } from '../../util/logger.js';
import { WebSocketStreamSocket } from './websocket-socket.js';

/** Where clients find us (advertised by XEP-0156 host-meta). */
export const WEBSOCKET_PATH = '/xmpp-websocket';
const SUBPROTOCOL = 'xmpp';
/** Whitespace and framing around the largest stanza still fit in one message. */
const MESSAGE_SLACK_BYTES = 4096;

export interface WebSocketEndpoint {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, origin: RequestOrigin): void;
  close(): void;
}

export interface WebSocketEndpointOptions {
  maxStanzaBytes: number;
  addressLimits: AddressLimits;
  log: Logger;
  accept(socket: WebSocketStreamSocket, admission: AddressAdmission): void;
}

/** Answers an upgrade we refuse with a plain HTTP status the browser console shows. */
function refuse(socket: Duplex, status: number, reason: string, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function offeredSubprotocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
}

export function createWebSocketEndpoint(options: WebSocketEndpointOptions): WebSocketEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxStanzaBytes + MESSAGE_SLACK_BYTES,
    // Compression of attacker-influenced and secret data in one context leaks the secrets (CRIME);
    // XMPP over TCP goes uncompressed too.
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  return {
    upgrade(req, socket, head, origin) {
      if (!origin.secure) {
        refuse(socket, 403, 'Forbidden', 'XMPP over WebSocket needs TLS: connect with wss:// to the HTTPS port');
        return;
      }
      // RFC 7395 §3.1: the handshake must negotiate the "xmpp" subprotocol.
      if (!offeredSubprotocols(req).includes(SUBPROTOCOL)) {
        refuse(socket, 400, 'Bad Request', 'this endpoint speaks only the "xmpp" WebSocket subprotocol (RFC 7395)');
        return;
      }
      const admission = options.addressLimits.admit(origin.address);
      if (isRefusal(admission)) {
        if (admission.first) options.log.warn({ address: admission.key }, `refusing WebSocket connections: ${admission.text}`);
        refuse(socket, 503, 'Service Unavailable', admission.text);
        return;
      }
      // Released when the connection closes, also when ws turns down a malformed handshake.
      socket.once('close', () => options.addressLimits.release(admission));
      server.handleUpgrade(req, socket, head, (ws) => options.accept(new WebSocketStreamSocket(ws, socket as Socket, origin), admission));
    },
    close() {
      server.close();
    },
  };
}
