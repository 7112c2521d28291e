import { describe, expect, it } from 'vitest';
import { Utf8Input } from '../../src/xml/utf8-input.js';
import { StreamError } from '../../src/protocol/stream-error.js';

/** Feeds the reads one by one and returns the text delivered. */
function decodeReads(reads: number[][]): string {
  const input = new Utf8Input();
  let text = '';
  for (const bytes of reads) input.decode(Buffer.from(bytes), { text: (t) => ((text += t), true) });
  return text;
}

const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

describe('Utf8Input (one decoder shared by all connections)', () => {
  it('RFC 6120 §11.6: a character cut by reads, byte by byte, arrives whole', () => {
    const bytes = utf8('<a>é€😀</a>');
    expect(decodeReads(bytes.map((b) => [b]))).toBe('<a>é€😀</a>');
  });

  it('a BOM opening the stream is dropped, even cut across reads; a later U+FEFF is text', () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(decodeReads([[bom[0]!, bom[1]!], [bom[2]!, ...utf8('<a>')], utf8('\uFEFF</a>')])).toBe('<a>\uFEFF</a>');
  });

  it('RFC 6120 §11.6: a lead byte that can start no character fails on the read that brings it', () => {
    const input = new Utf8Input();
    let text = '';
    expect(() => input.decode(Buffer.from([...utf8('<a>'), 0xf8]), { text: (t) => ((text += t), true) })).toThrow(StreamError);
    expect(text).toBe('<a>');
  });

  it('RFC 6120 §11.6: an overlong form split across reads fails once complete, after the text before it', () => {
    const input = new Utf8Input();
    let text = '';
    const sink = { text: (t: string) => ((text += t), true) };
    input.decode(Buffer.from([...utf8('<b>'), 0xe0]), sink);
    expect(() => input.decode(Buffer.from([0x80, 0x80]), sink)).toThrow(/invalid UTF-8/);
    expect(text).toBe('<b>');
  });
});
