// Raw bytes to text for the stream parser (RFC 6120 §11.6: UTF-8 only).
import { StreamError } from '../protocol/stream-error.js';
import { firstInvalidUtf8, incompleteTail } from './utf8-prefix.js';

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
  // Bytes of a character the decoder holds until the next slice, and how many bytes it was given in all: on an
  // invalid byte, what came before it in the same slice is still delivered, so a stream gives the same elements
  // and error however its bytes were cut into reads (RFC 6120 §4.2).
  private pending: Buffer = Buffer.alloc(0);
  private consumed = 0;

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
      const text = this.slice(chunk.subarray(start, start + SLICE_BYTES), sink);
      if (text && !sink.text(text)) return;
    }
  }

  private slice(bytes: Buffer, sink: TextConsumer): string {
    let text: string;
    try {
      text = this.decoder.decode(bytes, STREAMING);
    } catch {
      this.deliverValidPrefix(bytes, sink);
      throw new StreamError('not-well-formed', 'invalid UTF-8');
    }
    // An unfinished character is at most 3 bytes, so a slice of 3 or more holds all of it.
    if (bytes.length >= 3 || this.pending.length === 0) this.pending = incompleteTail(bytes);
    else this.pending = incompleteTail(Buffer.concat([this.pending, bytes]));
    this.consumed += bytes.length;
    return text;
  }

  // The rare path: the text before the first invalid byte, decoded afresh (the failed decoder cannot say).
  private deliverValidPrefix(bytes: Buffer, sink: TextConsumer): void {
    const all = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const valid = all.subarray(0, firstInvalidUtf8(all));
    // A BOM is dropped only at the very start of the stream, as the streaming decoder does.
    const atStreamStart = this.consumed - this.pending.length === 0;
    const text = new TextDecoder('utf-8', { ignoreBOM: !atStreamStart }).decode(valid);
    if (text) sink.text(text);
  }
}

// '<' in UTF-16 or UTF-32 has a zero byte next to it, and their BOMs start with FE FF / FF FE (never valid UTF-8).
function sniff(start: Buffer): void {
  const [a, b] = [start[0], start[1]];
  if ((a === 0xfe && b === 0xff) || (a === 0xff && b === 0xfe) || a === 0 || b === 0) {
    throw new StreamError('unsupported-encoding', 'only UTF-8 is supported');
  }
}
