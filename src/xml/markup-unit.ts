// The source text of one first-level construct (the stream tag, a stanza, the closing stream tag) while it
// arrives, with its UTF-8 size held under the stanza limit as it grows rather than once it is complete.
import { StreamError } from '../protocol/stream-error.js';

export class MarkupUnit {
  private parts: string[] = [];
  private bytes = 0;
  // Index in the current slice where the unit's text resumes; -1 when no unit is open.
  private start = -1;

  constructor(private readonly maxBytes: number) {}

  /** The unit's '<' is at `index` of the current slice. */
  begin(index: number): void {
    this.start = index;
  }

  /** The current slice is used up with the unit still open: keep its tail and check the size so far. */
  carry(slice: string): void {
    if (this.start < 0) return;
    const tail = this.start === 0 ? slice : slice.substring(this.start);
    this.parts.push(tail);
    this.bytes += Buffer.byteLength(tail);
    this.start = 0;
    if (this.bytes > this.maxBytes) throw this.tooBig();
  }

  /** The unit ends just before `end` in the current slice: its whole source. */
  finish(slice: string, end: number): string {
    const tail = slice.substring(this.start, end);
    let source = tail;
    let bytes: number;
    if (this.parts.length === 0) {
      bytes = Buffer.byteLength(tail);
    } else {
      this.parts.push(tail);
      source = this.parts.join('');
      bytes = this.bytes + Buffer.byteLength(tail);
    }
    this.discard();
    if (bytes > this.maxBytes) throw this.tooBig();
    return source;
  }

  discard(): void {
    this.parts = [];
    this.bytes = 0;
    this.start = -1;
  }

  private tooBig(): StreamError {
    return new StreamError('policy-violation', `stanza larger than ${this.maxBytes} bytes`);
  }
}
