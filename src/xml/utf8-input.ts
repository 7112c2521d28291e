// Raw bytes to text for the stream parser (RFC 6120 §11.6: UTF-8 only).
import { StreamError } from '../protocol/stream-error.js';

/** Bytes decoded and scanned at a time, so one huge write is checked against the limits as it goes. */
export const SLICE_BYTES = 16 * 1024;

/** Takes each decoded slice; returning false stops the decoding. */
export interface TextConsumer {
  text(text: string): boolean;
}

const STREAMING = { stream: true } as const;

export class Utf8Input {
  // fatal: malformed bytes throw instead of becoming U+FFFD; a leading BOM is dropped (ignoreBOM defaults to false).
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  // The first two bytes, held back until they show whether the peer is sending UTF-16/32; undefined once decided.
  private head: Buffer | undefined = Buffer.alloc(0);

  /** Decodes `chunk` in slices of at most SLICE_BYTES, passing each to `sink`; stops early if `sink` returns false. */
  decode(chunk: Buffer, sink: TextConsumer): void {
    if (this.head) {
      if (this.head.length > 0) chunk = Buffer.concat([this.head, chunk]);
      if (chunk.length < 2) {
        this.head = chunk;
        return;
      }
      this.head = undefined;
      sniff(chunk);
    }
    for (let start = 0; start < chunk.length; start += SLICE_BYTES) {
      const text = this.slice(chunk.subarray(start, start + SLICE_BYTES));
      if (text && !sink.text(text)) return;
    }
  }

  private slice(bytes: Buffer): string {
    try {
      return this.decoder.decode(bytes, STREAMING);
    } catch {
      throw new StreamError('not-well-formed', 'invalid UTF-8');
    }
  }
}

// '<' in UTF-16 or UTF-32 has a zero byte next to it, and their BOMs start with FE FF / FF FE (never valid UTF-8).
function sniff(start: Buffer): void {
  const [a, b] = [start[0], start[1]];
  if ((a === 0xfe && b === 0xff) || (a === 0xff && b === 0xfe) || a === 0 || b === 0) {
    throw new StreamError('unsupported-encoding', 'only UTF-8 is supported');
  }
}
