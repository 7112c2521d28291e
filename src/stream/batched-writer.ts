// Writing to a stream's socket. Everything sent during one event-loop turn leaves as one write:
// one TLS record and one syscall instead of one per stanza; order is kept, and the flush runs
// right after I/O polling. Writes are numbered, and the socket's write callbacks (which come in
// order, once the data is passed on to the network) count how many have left Herald's hands.
import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';

export class BatchedWriter {
  /** Writes handed to the socket, and those the socket reported as passed on to the network. */
  writes = 0;
  flushes = 0;
  /** The socket holding this turn's writes back; undefined when none is corked. */
  private corked: Socket | undefined;
  private readonly flush = () => this.uncork();
  /** One shared write callback, not a closure per write. */
  private readonly onWritten = (error: Error | null | undefined): void => {
    if (error) return;
    this.flushes += 1;
    this.written?.();
  };

  constructor(
    /** The socket written to; replaced by its TLS wrapper after STARTTLS. */
    public socket: Socket,
    /** Most bytes queued for a peer that does not read before the socket is dropped (a last resort). */
    private readonly maxQueuedBytes: number,
    private readonly log: Logger,
    private readonly written: (() => void) | undefined,
  ) {}

  write(data: string): boolean {
    const socket = this.socket;
    if (socket.destroyed) return false;
    if (socket.writableLength > this.maxQueuedBytes) {
      this.log.warn({ queued: socket.writableLength }, 'peer is not reading; dropping connection');
      socket.destroy();
      return false;
    }
    if (this.corked === undefined) {
      this.corked = socket;
      socket.cork();
      setImmediate(this.flush);
    }
    this.writes += 1;
    socket.write(data, this.onWritten);
    return true;
  }

  /** Sends what this turn held back now (before a TLS upgrade or a destroy). */
  uncork(): void {
    const socket = this.corked;
    this.corked = undefined;
    socket?.uncork();
  }
}
