// Writing to a stream's socket. Everything sent during one event-loop turn leaves as one write:
// one TLS record and one syscall instead of one per stanza; order is kept, and the flush runs
// right after I/O polling. Writes are numbered; the socket's callback for each batch (callbacks
// come in order, once the data is passed on to the network) says how many have left Herald's
// hands — one callback per batch, not per stanza.
import type { StreamSocket } from './stream-socket.js';
import type { Logger } from '../util/logger.js';

export class BatchedWriter {
  /** Writes accepted so far, and how many of them the socket passed on to the network. */
  writes = 0;
  flushes = 0;
  /** This turn's writes, sent together by flush(). */
  private pending: string[] = [];
  private pendingLength = 0;
  private scheduled = false;
  /**
   * The write count at the end of each batch handed to the socket and not yet confirmed; replaced
   * by a fresh array once empty, which frees its backing store (shift() alone keeps it on an idle
   * connection) at a third of the cost of `length = 0`.
   */
  private batchEnds: number[] = [];
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };
  /** One shared callback for every batch, not a closure per write. */
  private readonly onBatchWritten = (error: Error | null | undefined): void => {
    const end = this.batchEnds.shift();
    if (this.batchEnds.length === 0) this.batchEnds = [];
    if (error || end === undefined) return;
    this.flushes = end;
    this.written?.();
  };

  constructor(
    /** The socket written to; replaced by its TLS wrapper after STARTTLS. */
    public socket: StreamSocket,
    /** Most bytes queued for a peer that does not read before the socket is dropped (a last resort). */
    private readonly maxQueuedBytes: number,
    private readonly log: Logger,
    private readonly written: (() => void) | undefined,
  ) {}

  /** Bytes accepted but not yet taken by the network. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.pendingLength;
  }

  write(data: string): boolean {
    const socket = this.socket;
    if (socket.destroyed) return false;
    if (this.bufferedBytes > this.maxQueuedBytes) {
      this.log.warn({ queued: this.bufferedBytes }, 'peer is not reading; dropping connection');
      socket.destroy();
      return false;
    }
    this.pending.push(data);
    this.pendingLength += data.length;
    this.writes += 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return true;
  }

  /** Hands this turn's writes to the socket now (also before a TLS upgrade or a destroy). */
  flush(): void {
    if (this.pending.length === 0) return;
    if (this.socket.writeEach) {
      this.batchEnds.push(this.writes);
      const parts = this.pending;
      this.pending = [];
      this.socket.writeEach(parts, this.onBatchWritten);
      this.pendingLength = 0;
      return;
    }
    const data = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.batchEnds.push(this.writes);
    this.socket.write(data, this.onBatchWritten);
  }
}
