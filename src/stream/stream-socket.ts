// What an XML stream needs from the connection under it. A TCP or TLS socket is one as it is;
// a WebSocket (RFC 7395) is adapted to it by src/http/websocket/, so client sessions run the same
// negotiation, limits and stream management over either.
import type { TLSSocket } from 'node:tls';

export interface StreamSocket {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  /** Bytes accepted for writing but not yet taken by the network. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(data: string, callback: (error?: Error | null) => void): unknown;
  /**
   * Message transports only: each part leaves as one message (RFC 7395 §3.3.3: one stanza per
   * WebSocket message); `callback` runs once all of them were handed on. Byte streams lack it,
   * and get the parts joined into one write.
   */
  writeEach?(parts: readonly string[], callback: (error?: Error | null) => void): void;
  /**
   * A message transport secured by the connection under it (HTTPS, or a trusted proxy that says
   * so); a TLSSocket reports this itself.
   */
  readonly secureTransport?: boolean;
  /** The TLS connection under a message transport, when any (for SASL channel binding). */
  readonly underlyingTls?: TLSSocket | undefined;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  setTimeout(ms: number): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'timeout', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  removeAllListeners(event: 'timeout'): unknown;
}
