import { describe, expect, it } from 'vitest';
import { xml } from '../../src/xml/element.js';
import { buildElement } from '../../src/xml/element-builder.js';
import { createStreamParser } from '../../src/xml/stream-parser.js';
import type { Element } from '../../src/xml/element.js';

function dump(node: Element | string): unknown {
  if (typeof node === 'string') return node;
  return { name: node.name, attrs: { ...node.attrs }, children: node.children.map((c) => dump(c as Element | string)) };
}

/** What the stream parser builds from the same source. */
function fromStream(source: string): Element {
  const built: Element[] = [];
  const parser = createStreamParser(
    { maxStanzaBytes: 1 << 20, maxDepth: 64, maxAttributes: 64 },
    { streamStart: () => {}, stanza: (el) => built.push(el), streamEnd: () => {}, error: (e) => { throw e; } },
  );
  parser.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>${source}`);
  expect(built).toHaveLength(1);
  return built[0]!;
}

describe('the element builder (one-shot use of the stream scanner)', () => {
  it('builds one element after another, children linked to their parent', () => {
    const message = buildElement("<message to='b@a.test'><body>hi &amp; bye</body></message>");
    expect(message.getChildText('body')).toBe('hi & bye');
    expect(message.parent).toBeNull();
    expect(message.getChild('body')!.parent).toBe(message);
  });

  it('builds what the stream parser builds from the same source', () => {
    const source =
      "<message to='b@a.test' id='&lt;&#x20;\t&quot;'>\n <body>a&#x1F600;<![CDATA[<b>]]> é</body>" +
      "<x:y xmlns:x='urn:x' x:k='v'/></message>";
    expect(dump(buildElement(source))).toEqual(dump(fromStream(source)));
  });

  it('reads back what an element serialises to', () => {
    const el = xml('message', { to: 'b@a.test', id: `<&>"'\t` }, xml('body', {}, `x < y && z > "q" ]]> \r\n`), xml('e'));
    const again = buildElement(el.toString());
    expect(dump(again)).toEqual(dump(el));
  });

  it('allows white space around the element', () => {
    expect(buildElement('\n <presence/> \n').name).toBe('presence');
  });

  it('rejects anything but exactly one complete, well-formed element', () => {
    for (const bad of [
      '',
      '<a><b/>',
      '<a/><b/>',
      'text<a/>',
      '<a/>text',
      '<a>&nope;</a>',
      '<a><!-- c --></a>',
      "<a id='1' id='2'/>",
      '<a></b>',
      '</a>',
    ]) {
      expect(() => buildElement(bad), bad).toThrow(/could not be built/);
    }
    // A stream's own tags are not stanzas.
    expect(() => buildElement("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>")).toThrow(/could not be built/);
  });

  it('has no size, depth or attribute-count limit: what is read back was within them when it arrived', () => {
    const deep = '<a>'.repeat(200) + '</a>'.repeat(200);
    const attrs = Array.from({ length: 100 }, (_, i) => ` a${i}='${i}'`).join('');
    expect(buildElement(deep).name).toBe('a');
    expect(Object.keys(buildElement(`<a${attrs}/>`).attrs)).toHaveLength(100);
    expect(buildElement(`<a>${'x'.repeat(1 << 20)}</a>`).getText()).toHaveLength(1 << 20);
  });
});
