// Regressions found by test/fuzz/xml-parser.fuzz.test.ts: an invalid UTF-8 byte used to make the parser drop
// everything that came before it in the same write (16 KiB slice), so what a stream produced depended on how
// TCP happened to cut it (RFC 6120 §4.2: a stream is a byte stream, cut anywhere).
import { describe, expect, it } from 'vitest';
import { HEADER, feedChunks, splitAt } from '../fuzz/parser-run.js';

const header = Buffer.from(HEADER);

/** Events of the input fed whole, and cut right before `before` (the bad byte's offset). */
function wholeAndCut(bytes: Buffer, before: number): [unknown, unknown] {
  return [feedChunks([bytes]).events, feedChunks(splitAt(bytes, [before])).events];
}

describe('invalid UTF-8 after valid input in the same write (RFC 6120 §11.6)', () => {
  it('RFC 6120 §11.6: the stream header before an invalid byte is reported first, as when they come in two reads', () => {
    const bytes = Buffer.concat([header, Buffer.of(0x80)]);
    const [whole, cut] = wholeAndCut(bytes, header.length);
    expect(whole).toEqual(cut);
    expect(whole).toMatchObject([{ type: 'start' }, { type: 'error', condition: 'not-well-formed', text: 'invalid UTF-8' }]);
  });

  it('RFC 6120 §11.6: stanzas complete before an invalid byte are delivered, then the error', () => {
    const stanzas = Buffer.from("<message to='a@b'><body>é</body></message><presence/>");
    const bytes = Buffer.concat([header, stanzas, Buffer.of(0xc3, 0x28)]);
    const [whole, cut] = wholeAndCut(bytes, header.length + stanzas.length);
    expect(whole).toEqual(cut);
    expect(whole).toMatchObject([{ type: 'start' }, { type: 'stanza' }, { type: 'stanza' }, { type: 'error', text: 'invalid UTF-8' }]);
  });

  it('RFC 6120 §11.1: an earlier restricted-XML violation wins over a later invalid byte, whatever the cutting', () => {
    const bytes = Buffer.concat([header, Buffer.from('<?pi?>'), Buffer.of(0xff)]);
    const [whole, cut] = wholeAndCut(bytes, header.length + 6);
    expect(whole).toEqual(cut);
    expect(whole).toMatchObject([{ type: 'start' }, { type: 'error', condition: 'restricted-xml' }]);
  });

  it('a character split across writes before the invalid byte still decodes', () => {
    const bytes = Buffer.concat([header, Buffer.from('<message><body>中'), Buffer.of(0xed, 0xa0, 0x80)]); // then a UTF-8-encoded surrogate
    const at = header.length + '<message><body>'.length + 1; // inside 中
    const run = feedChunks(splitAt(bytes, [at]));
    expect(run.events).toEqual(feedChunks([bytes]).events);
    expect(run.events).toMatchObject([{ type: 'start' }, { type: 'error', text: 'invalid UTF-8' }]);
  });

  it('a BOM-like character inside the stream is kept when an invalid byte follows in the same write', () => {
    const bytes = Buffer.concat([header, Buffer.from('<message><body>\uFEFFx</body></message>'), Buffer.of(0xff)]);
    const run = feedChunks([bytes]);
    expect(run.events).toMatchObject([{ type: 'start' }, { type: 'stanza', element: { children: [{ children: ['\uFEFFx'] }] } }, { type: 'error' }]);
  });
});
