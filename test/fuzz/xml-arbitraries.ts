// fast-check generators for the parser fuzz tests: legal XML text, element trees, XML-like token soup and
// valid streams with byte mutations.
import fc from 'fast-check';
import { xml, type Element } from '../../src/xml/element.js';
import { serialize } from '../../src/xml/serialize.js';
import { HEADER } from './parser-run.js';

/** One character XML 1.0 allows, biased towards the ones that need escaping or are multi-byte in UTF-8. */
const xmlChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\r', '\n', '\r\n', '\t', '&amp;', '\u00A0', '\uFEFF', '\uFFFD') },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xfffd }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);

export const xmlText: fc.Arbitrary<string> = fc.array(xmlChar, { maxLength: 24 }).map((chars) => chars.join(''));

/** Unprefixed names (prefixes need declarations, which the soup and mutations cover). */
const elementName = fc.constantFrom('message', 'body', 'x', 'a-b', 'a.b', '_c', 'é', '中文', 'n9', 'query', 'item', 'presence');
const attrName = fc.constantFrom('to', 'from', 'id', 'type', 'xml:lang', 'a', 'b-c', 'd.e', '_f', 'é', 'xmlns');
const attrs = fc.dictionary(attrName, xmlText, { maxKeys: 6 });

export const elementTree: fc.Arbitrary<Element> = fc.letrec<{ node: Element; child: Element | string }>((tie) => ({
  node: fc
    .tuple(elementName, attrs, fc.array(tie('child'), { maxLength: 4, depthIdentifier: 'tree' }))
    .map(([name, attributes, children]) => xml(name, attributes, ...children)),
  child: fc.oneof({ depthSize: 'small', depthIdentifier: 'tree', withCrossShrink: true }, xmlText, tie('node')),
})).node;

// Pieces of markup and text that reach every state of the scanner when strung together at random.
const TOKENS = [
  '<', '>', '/>', '</', '=', '"', "'", ' ', '\n', '\t', '&', ';', '#', 'x', 'a', 'b:c', ':', 'message', 'body', 'iq',
  '<message>', '</message>', '<body>', '</body>', '<message/>', '<a b="c">', "<a b='c'/>", '<x:y xmlns:x="u">', '</x:y>',
  '<!--', '-->', '<![CDATA[', ']]>', ']]', '<?', '?>', '<!DOCTYPE', '<!ENTITY', '<!', '<!-', '<![CDA',
  '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x41;', '&#0;', '&#xD800;', '&#x110000;', '&#;', '&x;', '&lt', '&AMP;',
  'é', '中', '😀', '\uFFFE', '\u0000', '\u0001', '\r\n', 'xmlns="jabber:client"', 'xmlns:p="urn:p"', '<p:x/>', 'xml:lang="en"',
  '</stream:stream>', '<stream:stream>', "<?xml version='1.0'?>", 'a="1" a="2"', '<a a="1" a="2"/>', '<1/>', '<-a/>', '< a/>',
];
export const xmlSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: xmlText }), { maxLength: 40 })
  .map((tokens) => tokens.join(''));

type Mutation = { at: number; kind: 'delete' | 'insert' | 'replace' | 'repeat'; byte: number; length: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat({ max: 100_000 }),
  kind: fc.constantFrom('delete', 'insert', 'replace', 'repeat'),
  byte: fc.oneof(fc.constantFrom(0x3c, 0x3e, 0x2f, 0x26, 0x22, 0x27, 0x3d, 0x20, 0x5d, 0x21, 0x3f, 0x3a, 0x00, 0xc3, 0xa9, 0xff), fc.nat({ max: 255 })),
  length: fc.integer({ min: 1, max: 8 }),
});

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const at = m.at % (bytes.length + 1);
  const before = bytes.subarray(0, at);
  switch (m.kind) {
    case 'delete':
      return Buffer.concat([before, bytes.subarray(at + m.length)]);
    case 'insert':
      return Buffer.concat([before, Buffer.of(m.byte), bytes.subarray(at)]);
    case 'replace':
      return Buffer.concat([before, Buffer.of(m.byte), bytes.subarray(at + 1)]);
    case 'repeat':
      return Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
  }
}

/** A valid stream (header, stanzas, maybe its end), then a few random byte mutations. */
export const mutatedStream: fc.Arbitrary<Buffer> = fc
  .tuple(fc.array(elementTree, { maxLength: 3 }), fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([elements, close, mutations]) => {
    let bytes: Buffer = Buffer.from(HEADER + elements.map(serialize).join('') + (close ? '</stream:stream>' : ''));
    for (const m of mutations) bytes = mutate(bytes, m);
    return bytes;
  });
