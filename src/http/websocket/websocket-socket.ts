// A WebSocket seen as a StreamSocket, so an XmlStream (and the whole client connection above it)
// runs over it unchanged: each text message comes up as one 'data' chunk (the RFC 7395 framing
// parser relies on that), each write leaves as one message.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import type { StreamSocket } from '../../stream/stream-socket.js';
import type { RequestOrigin } from '../http-routes.js';

/** RFC 6455 §7.4.1 1003: the endpoint received data of a type it cannot accept. */
const UNSUPPORTED_DATA = 1003;

export class WebSocketStreamSocket extends EventEmitter implements StreamSocket {
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  readonly secureTransport: boolean;
  readonly underlyingTls: TLSSocket | undefined;

  constructor(
    private readonly ws: WebSocket,
    /** The HTTP connection under the WebSocket: its idle timer serves as the stream's. */
    private readonly raw: Socket,
    origin: RequestOrigin,
  ) {
    super();
    this.remoteAddress = origin.address;
    this.remotePort = raw.remotePort;
    this.secureTransport = origin.secure;
    // Channel binding is to the TLS connection the client itself holds: not a proxy's.
    this.underlyingTls = raw instanceof TLSSocket && origin.address === raw.remoteAddress ? raw : undefined;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) ws.close(UNSUPPORTED_DATA, 'XMPP messages must be text frames (RFC 7395 section 3.3.1)');
      else this.emit('data', data);
    });
    ws.on('error', (error) => this.emit('error', error));
    ws.once('close', () => this.emit('close'));
    raw.on('timeout', () => this.emit('timeout'));
  }

  get writableLength(): number {
    return this.ws.bufferedAmount;
  }

  get destroyed(): boolean {
    return this.ws.readyState !== WebSocket.OPEN;
  }

  write(data: string, callback: (error?: Error | null) => void): boolean {
    this.ws.send(data, callback);
    return true;
  }

  writeEach(parts: readonly string[], callback: (error?: Error | null) => void): void {
    const last = parts.length - 1;
    parts.forEach((part, i) => this.ws.send(part, i === last ? callback : undefined));
  }

  /** The closing handshake (RFC 6455 §7); ws drops the connection if the peer never answers. */
  end(): void {
    this.ws.close(1000);
  }

  destroy(): void {
    this.ws.terminate();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  setTimeout(ms: number): void {
    this.raw.setTimeout(ms);
  }
}
