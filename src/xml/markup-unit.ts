// The UTF-8 size of one first-level construct (the stream tag, a stanza, the closing stream tag) while it
// arrives, held under the stanza limit as it grows rather than once it is complete. Only counted: the
// scanner builds the element as it goes, so the source text itself is not kept.
import { StreamError } from '../protocol/stream-error.js';

export class MarkupUnit {
  private bytes = 0;
  // Index in the current slice where the unit's text resumes; -1 when no unit is open.
  private start = -1;
  // Whether the current slice is all ASCII, so that a count of UTF-16 units is a count of bytes.
  private ascii = false;

  constructor(private readonly maxBytes: number) {}

  /** A new slice is about to be scanned. */
  slice(slice: string): void {
    this.ascii = Buffer.byteLength(slice) === slice.length;
  }

  /** The unit's '<' is at `index` of the current slice. */
  begin(index: number): void {
    this.start = index;
  }

  /** The current slice is used up with the unit still open: count its tail and check the size so far. */
  carry(slice: string): void {
    if (this.start < 0) return;
    this.bytes += this.count(slice, this.start, slice.length);
    this.start = 0;
    if (this.bytes > this.maxBytes) throw this.tooBig();
  }

  /** The unit ends just before `end` in the current slice. */
  finish(slice: string, end: number): void {
    const bytes = this.bytes + this.count(slice, this.start, end);
    this.discard();
    if (bytes > this.maxBytes) throw this.tooBig();
  }

  discard(): void {
    this.bytes = 0;
    this.start = -1;
  }

  private count(slice: string, from: number, to: number): number {
    if (this.ascii) return to - from;
    return Buffer.byteLength(from === 0 && to === slice.length ? slice : slice.substring(from, to));
  }

  private tooBig(): StreamError {
    return new StreamError('policy-violation', `stanza larger than ${this.maxBytes} bytes`);
  }
}
