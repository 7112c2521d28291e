// Raw bytes to text for the stream parser (RFC 6120 §11.6: UTF-8 only).
import { StreamError } from '../protocol/stream-error.js';
import { firstInvalidUtf8, incompleteTail } from './utf8-prefix.js';

/** Bytes decoded and scanned at a time, so one huge write is checked against the limits as it goes. */
export const SLICE_BYTES = 16 * 1024;

/** Takes each decoded slice; returning false stops the decoding. */
export interface TextConsumer {
  text(text: string): boolean;
}

/**
 * One decoder for every connection. Decoding is stateless here: the bytes of a character cut off
 * by a read are held back in `pending` and go in front of the next read, so no connection needs a
 * streaming TextDecoder of its own (~1 KiB of native ICU state each, at thousands of idle
 * connections). ignoreBOM keeps U+FEFF; only a BOM at the very start of a stream is dropped, below.
 */
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NO_BYTES: Buffer = Buffer.alloc(0);
const BOM = '\uFEFF';

export class Utf8Input {
  // The first two bytes, held back until they show whether the peer is sending UTF-16/32; undefined once decided.
  private head: Buffer | undefined = NO_BYTES;
  // Bytes of a character not complete yet, and whether any text was delivered: on an invalid byte, what came
  // before it in the same slice is still delivered, so a stream gives the same elements and error however its
  // bytes were cut into reads (RFC 6120 §4.2).
  private pending: Buffer = NO_BYTES;
  private textSeen = false;

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
    const all = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    let tail = incompleteTail(all);
    // A tail that can never become a character (a bad lead byte) is decoded now, so it fails now.
    if (tail.length > 0 && firstInvalidUtf8(tail) < tail.length) tail = NO_BYTES;
    let text: string;
    try {
      text = DECODER.decode(tail.length === 0 ? all : all.subarray(0, all.length - tail.length));
    } catch {
      this.deliverValidPrefix(all, sink);
      throw new StreamError('not-well-formed', 'invalid UTF-8');
    }
    this.pending = tail;
    return this.firstText(text);
  }

  /** Drops a BOM that opens the stream's text, as a streaming decoder would. */
  private firstText(text: string): string {
    if (this.textSeen || text.length === 0) return text;
    this.textSeen = true;
    return text.startsWith(BOM) ? text.slice(1) : text;
  }

  // The rare path: the text before the first invalid byte, decoded afresh (the failed decode cannot say).
  private deliverValidPrefix(all: Buffer, sink: TextConsumer): void {
    const text = this.firstText(DECODER.decode(all.subarray(0, firstInvalidUtf8(all))));
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
