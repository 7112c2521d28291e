// An XML stream over one TCP or TLS socket (or a WebSocket, RFC 7395): parser limits, rate
// limiting, idle timeout, STARTTLS upgrade, restarts, and the closing handshake of RFC 6120 §4.4.
import { Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions, type TLSSocketOptions } from 'node:tls';
import type { Element } from '../xml/element.js';
import { serialize } from '../xml/serialize.js';
import type { StreamParser, StreamParserHandler, StreamParserLimits } from '../xml/stream-parser.js';
import { StreamError } from '../protocol/stream-error.js';
import { ReadThrottle } from './read-throttle.js';
import { BatchedWriter } from './batched-writer.js';
import { awaitTlsHandshake, DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS } from './tls-handshake.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { TCP_FRAMING, type StreamFraming, type StreamHeaderAttrs } from './stream-framing.js';
import { idleSweepFor, type IdleSweep, type IdleWatcher } from './idle-sweep.js';
import type { StreamSocket } from './stream-socket.js';

export interface XmlStreamHandler {
  streamStart(attrs: Record<string, string>): void;
  element(element: Element): void;
  streamEnd(): void;
  /** Half the idle timeout passed without input: a chance to provoke an answer (ping, <r/>). */
  idle?(): void;
  /**
   * Something written earlier was handed to the network (see `flushedCount`); a chance to write
   * more. Called once per completed write, so it must be cheap.
   */
  written?(): void;
  /** The socket is gone; called exactly once. */
  closed(reason: string): void;
}

export interface XmlStreamOptions {
  limits: StreamParserLimits;
  bytesPerSecond: number;
  /** Stanzas per second the peer may send before reading is paused; unlimited when absent. */
  stanzasPerSecond?: number;
  idleTimeoutMs: number;
  /** Time a STARTTLS handshake may take before the socket is dropped; default 30 s. */
  tlsHandshakeTimeoutMs?: number;
  /** Most bytes queued for a peer that does not read before the stream is dropped. */
  maxOutboundBytes: number;
  clock: Clock;
  log: Logger;
  /** Content namespace of a header sent only to carry a stream error; default jabber:client. */
  contentNamespace?: string;
  /** How the stream looks on the wire; default TCP (RFC 6120). */
  framing?: StreamFraming;
}

/** Reading stops while any reason holds: the inbound queue is full, or the byte rate is spent. */
export type PauseReason = 'queue' | 'rate';
const PAUSE_BITS: Record<PauseReason, number> = { queue: 1, rate: 2 };

/** Time to wait for the peer's `</stream:stream>` after ours before dropping the socket. */
const CLOSE_GRACE_MS = 5_000;

export class XmlStream implements IdleWatcher {
  private parser: StreamParser;
  private headerSent = false;
  private streamGeneration = 0;
  private closing = false;
  private isClosed = false;
  /** Why reading is paused: a bit per PauseReason, so no Set per connection. */
  private pausedFor = 0;
  /** Set after the first silent half of the idle timeout; input clears it. */
  private probed = false;
  private readonly throttle: ReadThrottle;
  private readonly writer: BatchedWriter;
  private readonly framing: StreamFraming;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  /** On the TCP socket and, after STARTTLS, on the TLS one: errors after the handshake must not go unhandled. */
  private readonly onSocketError = (error: Error) => this.options.log.debug({ err: error.message }, 'socket error');
  /** A plain listener, not once(): 'close' comes once, finish() ignores a second, and once() costs a wrapper per socket. */
  private readonly onSocketClose = () => this.finish('socket closed');
  /** Two halves of the idle timeout: after the first the peer is probed; silence through the second ends the stream. */
  private readonly idleSweep: IdleSweep | undefined;
  idleSince = 0;
  private peerAddress: string | undefined;

  constructor(
    socket: StreamSocket,
    private readonly options: XmlStreamOptions,
    private readonly handler: XmlStreamHandler,
  ) {
    this.framing = options.framing ?? TCP_FRAMING;
    this.throttle = new ReadThrottle(options, options.clock, this);
    this.writer = new BatchedWriter(socket, options.maxOutboundBytes, options.log, handler.written?.bind(handler));
    this.parser = this.newParser();
    this.idleSweep = idleSweepFor(Math.max(1, Math.floor(options.idleTimeoutMs / 2)));
    this.attach(socket);
    this.idleSweep?.watch(this);
  }

  /** Half the idle timeout passed without input (see idle-sweep.ts). */
  idlePeriodPassed(): void {
    if (this.isClosed) return;
    if (this.probed || !this.handler.idle) {
      this.fail(new StreamError('connection-timeout', 'no traffic within the idle timeout'));
      return;
    }
    this.probed = true;
    this.handler.idle();
  }

  /** The current socket (the TLS one after STARTTLS); the writer holds it. */
  private get socket(): StreamSocket {
    return this.writer.socket;
  }

  get secure(): boolean {
    const socket = this.socket;
    return socket instanceof TLSSocket ? socket.encrypted === true : socket.secureTransport === true;
  }

  get tlsSocket(): TLSSocket | undefined {
    const socket = this.socket;
    return socket instanceof TLSSocket ? socket : socket.underlyingTls;
  }

  /**
   * The peer's address does not change with STARTTLS: remembered from the first answer, so the
   * TLS socket does not ask the kernel again (a getpeername per login, in the throttle keys).
   */
  get remoteAddress(): string {
    return (this.peerAddress ??= this.socket.remoteAddress) ?? 'unknown';
  }

  /** The peer's address and port; undefined when the socket no longer knows them. */
  get remoteEndpoint(): { address: string; port: number } | undefined {
    const { remoteAddress: address, remotePort: port } = this.socket;
    return address === undefined || port === undefined ? undefined : { address, port };
  }

  /** Bytes written but not yet taken by the network. */
  get bufferedBytes(): number {
    return this.writer.bufferedBytes;
  }

  /** How many writes were handed to the socket so far (the number of the latest one). */
  get writeCount(): number {
    return this.writer.writes;
  }

  /**
   * How many of those writes have been passed on to the network (the kernel, through TLS): a
   * write numbered n is out of Herald's hands once this reaches n.
   */
  get flushedCount(): number {
    return this.writer.flushes;
  }

  get closed(): boolean {
    return this.isClosed || this.closing;
  }

  sendHeader(attrs: StreamHeaderAttrs): void {
    this.headerSent = true;
    this.write(this.framing.header(attrs));
  }

  send(element: Element): boolean {
    if (this.closing || this.isClosed) return false;
    return this.write(this.framing.element(serialize(element)));
  }

  /** Writes a stanza already serialised by the caller (who needed its size). */
  sendSerialized(text: string): boolean {
    if (this.closing || this.isClosed) return false;
    return this.write(this.framing.element(text));
  }

  /**
   * Counts restarts. Work queued from an earlier generation must be dropped: bytes a client sent
   * after <starttls/> or <auth/> in the same packet belong to the old stream, and acting on
   * them after the restart would let plaintext injected before TLS count as secured.
   */
  get generation(): number {
    return this.streamGeneration;
  }

  /** After STARTTLS or SASL success (RFC 6120 §4.3.3): a fresh parser and a new header. */
  restart(): void {
    this.headerSent = false;
    this.streamGeneration += 1;
    this.parser.end();
    this.parser = this.newParser();
  }

  /** Server side of STARTTLS: wraps the socket once `<proceed/>` has been written. */
  startTls(options: TLSSocketOptions): Promise<void> {
    this.writer.flush(); // <proceed/> must leave in clear text, before the TLS layer takes the socket
    const plain = this.tcpSocket();
    plain.off('data', this.onData);
    const secured = new TLSSocket(plain, { ...options, isServer: true });
    secured.on('error', this.onSocketError);
    this.writer.socket = secured;
    this.restart();
    return this.handshake(secured, 'secure');
  }

  /**
   * Initiating side of STARTTLS (server-to-server links) after `<proceed/>`. Resolves once the
   * handshake is done; the caller inspects the peer certificate and sends a new header.
   */
  startTlsClient(options: Omit<ConnectionOptions, 'socket'>): Promise<void> {
    this.writer.flush();
    const plain = this.tcpSocket();
    plain.off('data', this.onData);
    const secured = tlsConnect({ ...options, socket: plain });
    // 'close' on the TCP socket reports the end.
    secured.on('error', this.onSocketError);
    this.writer.socket = secured;
    this.restart();
    return this.handshake(secured, 'secureConnect');
  }

  /** STARTTLS exists only on TCP streams (RFC 7395 §3.1: WebSocket security is the HTTPS one). */
  private tcpSocket(): Socket {
    const socket = this.socket;
    if (!(socket instanceof Socket)) throw new Error('STARTTLS on a stream that is not over TCP');
    return socket;
  }

  private async handshake(secured: TLSSocket, done: 'secure' | 'secureConnect'): Promise<void> {
    await awaitTlsHandshake(secured, done, this.options.tlsHandshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS);
    this.attach(secured, false);
  }

  /** Sends a stream error (with our header first if none was sent, §4.9.1.2) and closes. */
  fail(error: StreamError): void {
    if (this.closing || this.isClosed) return;
    this.options.log.info({ condition: error.condition, text: error.text }, 'stream error');
    if (!this.headerSent) this.sendHeader({ xmlns: this.options.contentNamespace ?? 'jabber:client' });
    this.write(this.framing.element(serialize(error.toElement())));
    this.close();
  }

  /** Our `</stream:stream>`; the socket ends when the peer closes too, or after a grace period. */
  close(): void {
    if (this.closing || this.isClosed) return;
    this.closing = true;
    this.write(this.framing.close);
    this.writer.flush(); // the batch goes out before our FIN
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection at once, without a closing handshake. */
  destroy(): void {
    this.closing = true;
    this.writer.flush(); // what was sent before, in this turn, still goes out as it did uncorked
    this.socket.destroy();
  }

  pause(reason: PauseReason): void {
    this.pausedFor |= PAUSE_BITS[reason];
    this.socket.pause();
  }

  resume(reason: PauseReason): void {
    this.pausedFor &= ~PAUSE_BITS[reason];
    if (this.pausedFor === 0 && !this.isClosed) this.socket.resume();
  }

  private write(data: string): boolean {
    return !this.isClosed && this.writer.write(data);
  }

  private attach(socket: StreamSocket, listenForClose = true): void {
    socket.on('data', this.onData);
    // A TLS handshake is not idleness: the count starts again once the new socket carries the stream.
    if (this.idleSweep) this.idleSince = this.idleSweep.tick;
    if (!listenForClose) return;
    socket.on('error', this.onSocketError);
    // 'close' is emitted on the raw TCP socket even after a TLS upgrade wraps it.
    socket.on('close', this.onSocketClose);
  }

  private receive(chunk: Buffer): void {
    this.probed = false;
    if (this.idleSweep) this.idleSince = this.idleSweep.tick;
    this.throttle.read(chunk.length);
    this.parser.write(chunk);
  }

  private finish(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.idleSweep?.forget(this);
    this.handler.closed(reason);
  }

  private newParser(): StreamParser {
    return this.framing.parser(this.options.limits, this.parserEvents);
  }

  /** The parser's reports, made once per stream and shared by the parsers of its restarts. */
  private readonly parserEvents: StreamParserHandler = {
    streamStart: (attrs) => this.handler.streamStart(attrs),
    stanza: (element) => {
      if (this.closing) return;
      this.throttle.stanza();
      this.handler.element(element);
    },
    streamEnd: () => {
      this.handler.streamEnd();
      this.close();
    },
    error: (error) => this.fail(error),
  };
}
