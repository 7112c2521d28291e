// What a client session writes, paced by its connection. While the socket holds more than
// HIGH_WATER_BYTES, stanzas wait here in order; writers that send many in a row await
// whenWritable(); and whatever never reached the client is handed back by undelivered() when the
// session ends, so nothing queued is silently discarded.
//
// "Reached the client" means acknowledged with XEP-0198, or else handed to the network (the
// socket's write callback): a session without stream management cannot confirm more than that.
import type { Element } from '../xml/element.js';
import { textOf, treeOf, type OutgoingStanza } from '../xml/serialized-stanza.js';
import { SESSION_HIGH_WATER_BYTES } from '../config/defaults.js';

/** Bytes in the socket's buffer above which stanzas wait in our queue instead. */
export const HIGH_WATER_BYTES = SESSION_HIGH_WATER_BYTES;

/** The connection as this side sees it (see XmlStream for the counters). */
export interface OutboundTransport {
  readonly bufferedBytes: number;
  readonly writeCount: number;
  readonly flushedCount: number;
  writeSerialized(text: string): boolean;
}

/** XEP-0198 as this side sees it: written stanzas are tracked there until acknowledged. */
export interface AckTracking {
  readonly enabled: boolean;
  readonly unackedCount: number;
  readonly unackedBytes: number;
  track(stanza: OutgoingStanza, bytes: number): void;
}

type Confirm = (delivered: boolean) => void;

interface Unwritten {
  stanza: OutgoingStanza;
  text: string;
  confirm: Confirm | undefined;
}

interface InFlight {
  /** The transport's write number; delivered once its flushedCount reaches it. */
  seq: number;
  stanza: OutgoingStanza;
  confirm: Confirm | undefined;
}

/** A FIFO with O(1) removal at the front (an index, compacted now and then). */
class Fifo<T> {
  items: T[] = [];
  head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything, oldest first. */
  take(): T[] {
    const all = this.items.slice(this.head);
    this.clear();
    return all;
  }

  private clear(): void {
    this.items = []; // frees the backing store (shift() alone would keep it); cheaper than length = 0
    this.head = 0;
  }
}

/** Stanzas worth re-homing if they never arrive (see stream-management/undelivered.ts). */
function worthTracking(stanza: OutgoingStanza): boolean {
  if (stanza.name === 'presence') return false;
  const type = treeOf(stanza).attrs.type;
  return type !== 'error' && type !== 'result';
}

export class SessionOutbound {
  private transport: OutboundTransport | undefined;
  private readonly unwritten = new Fifo<Unwritten>();
  private unwrittenBytes = 0;
  /** Without stream management: written, not yet taken by the network. */
  private readonly inFlight = new Fifo<InFlight>();
  /** With stream management: callers waiting for a written stanza's acknowledgement. */
  private ackWaiters: Map<OutgoingStanza, Confirm> | undefined;
  /** Writers waiting for room; an array only while there are some. */
  private writableWaiters: Confirm[] | undefined;
  private ended = false;

  /**
   * `pacedUnacked`: with stream management, paced writers also wait while this many stanzas are
   * unacknowledged, so a long replay never runs into the session's own unacknowledged limit.
   */
  constructor(
    private readonly sm: AckTracking,
    private readonly pacedUnacked: number,
  ) {}

  /** More is waiting for the client than its connection takes right now. */
  get congested(): boolean {
    const transport = this.transport;
    return transport !== undefined && (this.unwritten.length > 0 || transport.bufferedBytes >= HIGH_WATER_BYTES);
  }

  /** Stanzas held for the client: unwritten, plus unacknowledged (XEP-0198) or not yet on the network. */
  get stanzasHeld(): number {
    return this.unwritten.length + (this.sm.enabled ? this.sm.unackedCount : this.inFlight.length);
  }

  /** Bytes held for the client, counted the same way. */
  get bytesHeld(): number {
    return this.unwrittenBytes + (this.sm.enabled ? this.sm.unackedBytes : this.transport?.bufferedBytes ?? 0);
  }

  /** Queues a stanza and writes it at once when the connection has room. */
  send(stanza: OutgoingStanza, confirm?: Confirm): void {
    const text = textOf(stanza);
    if (this.unwritten.length === 0 && this.hasRoom() && this.write(stanza, text, confirm)) return;
    this.unwritten.push({ stanza, text, confirm });
    this.unwrittenBytes += text.length;
  }

  whenWritable(): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    if (this.canTakeMore()) return Promise.resolve(true);
    return new Promise((resolve) => (this.writableWaiters ??= []).push(resolve));
  }

  private canTakeMore(): boolean {
    return this.transport !== undefined && !this.congested && (!this.sm.enabled || this.sm.unackedCount < this.pacedUnacked);
  }

  /** A connection carries the session (again): write what waited. */
  attach(transport: OutboundTransport): void {
    this.transport = transport;
    this.pump();
  }

  /** After a XEP-0198 resumption: `resend` (unacknowledged on the old connection) goes first. */
  resumeOnto(transport: OutboundTransport, resend: readonly OutgoingStanza[]): void {
    const rest = this.unwritten.take();
    for (const stanza of resend) {
      const text = textOf(stanza);
      this.unwritten.push({ stanza, text, confirm: undefined });
      this.unwrittenBytes += text.length;
    }
    for (const entry of rest) this.unwritten.push(entry);
    this.attach(transport);
  }

  /** The connection is gone; what it had not passed on stays undelivered. */
  detach(): void {
    this.settleInFlight();
    this.transport = undefined;
  }

  /** The connection passed a write on to the network: confirm, and write more. */
  written(): void {
    if (this.inFlight.length > 0) this.settleInFlight();
    if (this.unwritten.length > 0 || this.writableWaiters) this.pump();
  }

  /** The client acknowledged a stanza (XEP-0198). */
  acked(stanza: OutgoingStanza): void {
    const confirm = this.ackWaiters?.get(stanza);
    if (confirm) {
      this.ackWaiters!.delete(stanza);
      confirm(true);
    }
    if (this.writableWaiters && this.canTakeMore()) this.release(true);
  }

  /**
   * The session ends: returns what never reached the client, oldest first (`unacked`, the
   * written but unacknowledged stanzas of stream management, go before the unwritten ones).
   */
  undelivered(unacked: readonly OutgoingStanza[]): Element[] {
    this.settleInFlight();
    this.ended = true;
    const lost = [...this.inFlight.take(), ...unacked.map((stanza) => ({ stanza, confirm: this.takeAckWaiter(stanza) })), ...this.unwritten.take()];
    this.unwrittenBytes = 0;
    for (const entry of lost) entry.confirm?.(false);
    for (const confirm of this.ackWaiters?.values() ?? []) confirm(false);
    this.ackWaiters = undefined;
    this.release(false);
    // What is re-homed is looked into (its kind, its recipient): text gets its tree here.
    return lost.map((entry) => treeOf(entry.stanza));
  }

  private takeAckWaiter(stanza: OutgoingStanza): Confirm | undefined {
    const confirm = this.ackWaiters?.get(stanza);
    this.ackWaiters?.delete(stanza);
    return confirm;
  }

  private hasRoom(): boolean {
    return this.transport !== undefined && this.transport.bufferedBytes < HIGH_WATER_BYTES;
  }

  private pump(): void {
    while (this.unwritten.length > 0 && this.hasRoom()) {
      const next = this.unwritten.peek()!;
      if (!this.write(next.stanza, next.text, next.confirm)) break;
      this.unwritten.shift();
      this.unwrittenBytes -= next.text.length;
    }
    if (this.canTakeMore()) this.release(true);
  }

  private write(stanza: OutgoingStanza, text: string, confirm: Confirm | undefined): boolean {
    const transport = this.transport!;
    if (!transport.writeSerialized(text)) return false;
    if (this.sm.enabled) {
      this.sm.track(stanza, text.length);
      if (confirm) (this.ackWaiters ??= new Map()).set(stanza, confirm);
    } else if (confirm || worthTracking(stanza)) {
      this.inFlight.push({ seq: transport.writeCount, stanza, confirm });
    }
    return true;
  }

  private settleInFlight(): void {
    const flushed = this.transport?.flushedCount;
    if (flushed === undefined) return;
    for (let entry = this.inFlight.peek(); entry !== undefined && entry.seq <= flushed; entry = this.inFlight.peek()) {
      this.inFlight.shift();
      entry.confirm?.(true);
    }
  }

  private release(writable: boolean): void {
    const waiters = this.writableWaiters;
    if (!waiters) return;
    this.writableWaiters = undefined;
    for (const resolve of waiters) resolve(writable);
  }
}
