import { describe, it, expect } from 'vitest';
import type { Element } from '../../src/xml/element.js';
import { NS } from '../../src/xml/ns.js';
import { StreamError } from '../../src/protocol/stream-error.js';
import { createStreamParser, type StreamParser, type StreamParserLimits } from '../../src/xml/stream-parser.js';

const LIMITS: StreamParserLimits = { maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 16 };
const HEADER =
  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "to='example.com' from='juliet@example.com' version='1.0' xml:lang='en' id='s1'>";
const CLOSE = '</stream:stream>';

type Event =
  | { type: 'start'; attrs: Record<string, string> }
  | { type: 'stanza'; element: Element }
  | { type: 'end' }
  | { type: 'error'; error: StreamError };

interface Run {
  parser: StreamParser;
  events: Event[];
  stanzas(): Element[];
  errors(): StreamError[];
}

function open(limits: StreamParserLimits = LIMITS): Run {
  const events: Event[] = [];
  const parser = createStreamParser(limits, {
    streamStart: (attrs) => events.push({ type: 'start', attrs }),
    stanza: (element) => events.push({ type: 'stanza', element }),
    streamEnd: () => events.push({ type: 'end' }),
    error: (error) => events.push({ type: 'error', error }),
  });
  return {
    parser,
    events,
    stanzas: () => events.flatMap((e) => (e.type === 'stanza' ? [e.element] : [])),
    errors: () => events.flatMap((e) => (e.type === 'error' ? [e.error] : [])),
  };
}

function feed(chunks: Array<string | Buffer>, limits?: StreamParserLimits): Run {
  const run = open(limits);
  for (const chunk of chunks) run.parser.write(chunk);
  return run;
}

/** The condition of the one error the input must produce. */
function conditionOf(chunks: Array<string | Buffer>, limits?: StreamParserLimits): string {
  const errors = feed(chunks, limits).errors();
  expect(errors).toHaveLength(1);
  return errors[0]!.condition;
}

/** A stanza's single element, parsed inside a stream. */
function stanzaOf(xml: string): Element {
  const run = feed([HEADER, xml]);
  expect(run.errors()).toEqual([]);
  expect(run.stanzas()).toHaveLength(1);
  return run.stanzas()[0]!;
}

/** Name, attributes and children exactly, to compare elements built from differently split input. */
function dump(node: Element | string): unknown {
  if (typeof node === 'string') return node;
  return { name: node.name, attrs: { ...node.attrs }, children: node.children.map((c) => dump(c as Element | string)) };
}

function splitEverywhere(bytes: Buffer, check: (run: Run) => void): void {
  for (let at = 0; at <= bytes.length; at++) {
    check(feed([bytes.subarray(0, at), bytes.subarray(at)]));
  }
}

describe('stream header (RFC 6120 §4.7)', () => {
  it('RFC 6120 §4.7: passes the stream attributes exactly as written', () => {
    const run = feed([HEADER]);
    expect(run.events).toEqual([
      {
        type: 'start',
        attrs: {
          xmlns: 'jabber:client',
          'xmlns:stream': NS.stream,
          to: 'example.com',
          from: 'juliet@example.com',
          version: '1.0',
          'xml:lang': 'en',
          id: 's1',
        },
      },
    ]);
  });

  it('RFC 6120 §11.5: accepts an XML declaration, and a BOM, before the stream', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const run = feed([bom, "<?xml version='1.0' encoding='UTF-8'?>\n", HEADER]);
    expect(run.errors()).toEqual([]);
    expect(run.events[0]).toMatchObject({ type: 'start', attrs: { to: 'example.com' } });
  });

  it('does not check the default namespace: jabber:server reaches the caller', () => {
    const run = feed([HEADER.replace('jabber:client', 'jabber:server')]);
    expect(run.events[0]).toMatchObject({ type: 'start', attrs: { xmlns: 'jabber:server' } });
  });

  it('unescapes header attribute values', () => {
    const run = feed([HEADER.replace("id='s1'", "id='a&amp;b&#x41;'")]);
    expect(run.events[0]).toMatchObject({ type: 'start', attrs: { id: 'a&bA' } });
  });
});

describe('stanzas', () => {
  it('builds each first-level child with names and attributes as written', () => {
    const el = stanzaOf(
      "<message to='romeo@example.net' type='chat' id='m1'><body>hi</body><x:data xmlns:x='urn:x' x:k='v'/></message>",
    );
    expect(el.name).toBe('message');
    expect(el.attrs).toEqual({ to: 'romeo@example.net', type: 'chat', id: 'm1' });
    expect(el.getChildText('body')).toBe('hi');
    const data = el.getChild('data', 'urn:x');
    expect(data?.name).toBe('x:data');
    expect(data?.attrs).toEqual({ 'xmlns:x': 'urn:x', 'x:k': 'v' });
    expect(el.parent).toBeNull();
  });

  it('keeps xmlns declarations so getNS and getChild work, and adds none', () => {
    const el = stanzaOf("<iq type='get' id='1'><query xmlns='jabber:iq:version'/></iq>");
    expect(el.attrs).not.toHaveProperty('xmlns');
    expect(el.getChild('query', NS.version)?.getNS()).toBe(NS.version);
  });

  it('delivers self-closed stanzas and several stanzas from one write in order', () => {
    const run = feed([HEADER + "<presence/><message id='a'/> <iq id='b' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"]);
    expect(run.stanzas().map((s) => s.name)).toEqual(['presence', 'message', 'iq']);
  });

  it('RFC 6120 §4.8.5: uses the stream: prefix bound on the stream tag (nonzas)', () => {
    const el = stanzaOf("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
    expect(el.name).toBe('stream:features');
    expect(el.getChild('bind', NS.bind)).toBeDefined();
  });

  it('turns CDATA sections into text', () => {
    expect(stanzaOf('<message><body><![CDATA[a <b> & ]] c]]></body></message>').getChildText('body')).toBe(
      'a <b> & ]] c',
    );
  });
});

describe('input split anywhere (RFC 6120 §4.2: the stream is a byte stream)', () => {
  const stanza =
    "<message to='romeo@example.net' id='x&amp;1'><body>a &lt; b</body><![CDATA[c]]>" +
    "<thread parent='p'>t</thread><x xmlns='urn:x'/></message>";

  it('gives the identical element whatever byte the stanza is split at', () => {
    const expected = dump(stanzaOf(stanza));
    const bytes = Buffer.from(HEADER + stanza + CLOSE);
    splitEverywhere(bytes, (run) => {
      expect(run.errors()).toEqual([]);
      expect(run.stanzas().map(dump)).toEqual([expected]);
      expect(run.events.at(-1)).toEqual({ type: 'end' });
    });
  });

  it('gives the identical element when fed one byte at a time', () => {
    const run = feed([...Buffer.from(HEADER + stanza)].map((b) => Buffer.from([b])));
    expect(run.stanzas().map(dump)).toEqual([dump(stanzaOf(stanza))]);
  });

  it('RFC 6120 §11.6: multi-byte UTF-8 (é, 中, 😀) split inside a character decodes identically', () => {
    const text = 'café 中文 😀';
    const multi = `<message id='é中😀'><body>${text}</body><中 xmlns='urn:x'>😀</中></message>`;
    const bytes = Buffer.from(HEADER + multi + CLOSE);
    splitEverywhere(bytes, (run) => {
      expect(run.errors()).toEqual([]);
      const [el] = run.stanzas();
      expect(el?.attrs['id']).toBe('é中😀');
      expect(el?.getChildText('body')).toBe(text);
      expect(el?.getChild('中')?.getText()).toBe('😀');
    });
  });
});

describe('the elements built (single pass: what ltx built from the same source before)', () => {
  it('decodes references in attribute values and keeps literal white space as written', () => {
    // No XML 1.0 §3.3.3 normalisation (tab, LF, CR to space): ltx's tokenizer did none, so neither do we.
    const el = stanzaOf("<message a='&lt;&#x20;&#9;x' b='t\tn\nr\r\nend' c=\"it's > ok\" d='say \"hi\"' e=''/>");
    expect(el.attrs).toEqual({ a: '< \tx', b: 't\tn\nr\r\nend', c: "it's > ok", d: 'say "hi"', e: '' });
  });

  it('keeps text as written apart from references: CR, CRLF and white-space-only runs included', () => {
    const el = stanzaOf('<message> <body>a\r\nb\rc&#13;</body>\n</message>');
    expect(el.children.map(dump)).toEqual([' ', { name: 'body', attrs: {}, children: ['a\r\nb\rc\r'] }, '\n']);
  });

  it('builds nested elements with mixed text in document order, one text child per run', () => {
    const el = stanzaOf("<m>a<b x='1'>c<i/></b>d &amp; e<e/>f</m>");
    expect(dump(el)).toEqual({
      name: 'm',
      attrs: {},
      children: [
        'a',
        { name: 'b', attrs: { x: '1' }, children: ['c', { name: 'i', attrs: {}, children: [] }] },
        'd & e',
        { name: 'e', attrs: {}, children: [] },
        'f',
      ],
    });
  });

  it('links every child to its parent; the stanza itself has none', () => {
    const el = stanzaOf('<iq><query><item/><item><group/></item></query></iq>');
    expect(el.parent).toBeNull();
    const query = el.getChild('query')!;
    expect(query.parent).toBe(el);
    const [first, second] = query.getChildren('item');
    expect(first!.parent).toBe(query);
    expect(second!.getChild('group')!.parent).toBe(second);
  });

  it('gives each CDATA section its own text child, leaves empty ones out, and keeps the text after one', () => {
    // ltx's tokenizer lost the text between a CDATA section's end and the next tag ('y' here).
    const el = stanzaOf('<body>x<![CDATA[a]b]]c<d>]]]]>y<![CDATA[]]><e/></body>');
    expect(el.children.map(dump)).toEqual(['x', 'a]b]]c<d>]]', 'y', { name: 'e', attrs: {}, children: [] }]);
  });

  it('gives the identical element for character references and CDATA split at any byte', () => {
    const stanza =
      "<message id='&#x1F600;&#233;'><body>a&#x1F600;b&#65;&lt;c 😀 é</body>" +
      '<x xmlns="urn:x"><![CDATA[p]q]]r]]]><![CDATA[]]>t&amp;</x></message>';
    const expected = dump(stanzaOf(stanza));
    expect(expected).toEqual({
      name: 'message',
      attrs: { id: '😀é' },
      children: [
        { name: 'body', attrs: {}, children: ['a😀bA<c 😀 é'] },
        { name: 'x', attrs: { xmlns: 'urn:x' }, children: ['p]q]]r]', 't&'] },
      ],
    });
    splitEverywhere(Buffer.from(HEADER + stanza), (run) => {
      expect(run.errors()).toEqual([]);
      expect(run.stanzas().map(dump)).toEqual([expected]);
    });
  });

  it('builds the stanza only once its end tag arrives, and one per first-level element', () => {
    const run = feed([HEADER, "<message id='1'><body>hi</bo", 'dy>']);
    expect(run.stanzas()).toEqual([]);
    run.parser.write('</message><presence/>');
    expect(run.stanzas().map((e) => e.toString())).toEqual(["<message id=\"1\"><body>hi</body></message>", '<presence/>']);
  });
});

describe('whitespace and the end of the stream', () => {
  it('RFC 6120 §4.6.1: accepts whitespace keepalives between stanzas without emitting anything', () => {
    const run = feed([HEADER, ' ', '\n', '\r\n\t ', "<presence/>", '  ']);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'stanza']);
  });

  it('RFC 6120 §4.6.1: keepalives do not accumulate: 1 MB of them fits a 256-byte stanza limit', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 256 };
    const run = feed([HEADER], limits);
    for (let i = 0; i < 1024; i++) run.parser.write(' '.repeat(1024));
    run.parser.write('<presence/>');
    expect(run.errors()).toEqual([]);
    expect(run.stanzas()).toHaveLength(1);
  });

  it('RFC 6120 §4.4: </stream:stream> ends the stream and later input is ignored', () => {
    const run = feed([HEADER, '<presence/>', CLOSE, '<message/>', 'garbage <<<']);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'stanza', 'end']);
    run.parser.end();
    expect(run.events.map((e) => e.type)).toEqual(['start', 'stanza', 'end']);
  });

  it('RFC 6120 §4.4: a closing tag split across writes still ends the stream', () => {
    const run = feed([HEADER, '</str', 'eam:str', 'eam  >']);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'end']);
  });

  it('end() stops the parser quietly, even inside a stanza or a character, and later input is ignored', () => {
    const run = feed([HEADER, Buffer.from([0x3c, 0x61, 0x3e, 0xe4, 0xb8])]);
    run.parser.end();
    run.parser.write(Buffer.from([0xad, 0x3c, 0x2f, 0x61, 0x3e])); // would complete <a>中</a>
    expect(run.events.map((e) => e.type)).toEqual(['start']);
  });

  it('RFC 6120 §4.9.3.1: non-whitespace text directly inside the stream is bad-format', () => {
    expect(conditionOf([HEADER, '  hello'])).toBe('bad-format');
    expect(conditionOf([HEADER, '&amp;'])).toBe('bad-format');
    expect(conditionOf([HEADER, '<![CDATA[x]]>'])).toBe('bad-format');
  });
});

describe('RFC 6120 §11.1 restricted XML', () => {
  it('RFC 6120 §11.1: DOCTYPE gets restricted-xml', () => {
    expect(conditionOf(['<!DOCTYPE stream>', HEADER])).toBe('restricted-xml');
    expect(conditionOf(["<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY x 'y'>]>"])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: comments get restricted-xml, before, between and inside stanzas', () => {
    expect(conditionOf(['<!-- hi -->', HEADER])).toBe('restricted-xml');
    expect(conditionOf([HEADER, '<!-- hi -->'])).toBe('restricted-xml');
    expect(conditionOf([HEADER, '<message><!-- hi --></message>'])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: comments are caught before they end, so an endless one is not buffered', () => {
    const run = feed([HEADER, '<message><!--']);
    expect(run.errors().map((e) => e.condition)).toEqual(['restricted-xml']);
  });

  it('RFC 6120 §11.1: processing instructions get restricted-xml', () => {
    expect(conditionOf([HEADER, "<message><?php echo 'x' ?></message>"])).toBe('restricted-xml');
    expect(conditionOf(['<?xml-stylesheet href="a"?>', HEADER])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: an XML declaration anywhere but the very start is a processing instruction', () => {
    expect(conditionOf([" <?xml version='1.0'?>", HEADER])).toBe('restricted-xml');
    expect(conditionOf([HEADER, "<?xml version='1.0'?>"])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: entity declarations get restricted-xml', () => {
    expect(conditionOf([HEADER, "<message><!ENTITY x 'y'></message>"])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: references to entities other than the predefined five get restricted-xml', () => {
    expect(conditionOf([HEADER, '<message><body>&nbsp;</body></message>'])).toBe('restricted-xml');
    expect(conditionOf([HEADER, "<message id='&ent;'/>"])).toBe('restricted-xml');
    expect(conditionOf([HEADER, '<message><body>&AMP;</body></message>'])).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: the five predefined entities and character references are allowed', () => {
    const el = stanzaOf("<message id='&quot;&apos;'><body>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x0043;</body></message>");
    expect(el.attrs['id']).toBe(`"'`);
    expect(el.getChildText('body')).toBe(`<>&"'ABC`);
  });
});

describe('limits (RFC 6120 §13.12: resource exhaustion)', () => {
  // 'é' is two UTF-8 bytes, so a count of UTF-16 units would accept the stanza that is one byte over.
  function sized(bytes: number): string {
    const frame = '<message><body></body></message>';
    const room = bytes - frame.length;
    return `<message><body>${'é'.repeat(Math.floor(room / 2))}${room % 2 ? 'a' : ''}</body></message>`;
  }

  it('counts UTF-8 bytes: a stanza of exactly maxStanzaBytes passes, one byte more is policy-violation', () => {
    expect(Buffer.byteLength(sized(4096))).toBe(4096);
    expect(feed([HEADER, sized(4096)]).stanzas()).toHaveLength(1);
    expect(conditionOf([HEADER, sized(4097)])).toBe('policy-violation');
  });

  it('counts the limit the same whatever byte a stanza with multi-byte characters is split at', () => {
    const exact = `<message id='é'><body>${'中'.repeat(60)}😀</body></message>`; // larger than HEADER
    const limits = { ...LIMITS, maxStanzaBytes: Buffer.byteLength(exact) };
    const header = Buffer.from(HEADER);
    for (const [stanza, ok] of [
      [exact, true],
      [exact.replace('😀', '😀a'), false],
    ] as const) {
      const bytes = Buffer.from(stanza);
      for (let at = 0; at <= bytes.length; at++) {
        const run = feed([header, bytes.subarray(0, at), bytes.subarray(at)], limits);
        expect(run.errors().map((e) => e.condition)).toEqual(ok ? [] : ['policy-violation']);
        expect(run.stanzas()).toHaveLength(ok ? 1 : 0);
      }
    }
  });

  it('rejects an oversized stanza inside one huge write, before its end tag arrives', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 64 * 1024 };
    const run = feed([HEADER + `<message><body>${'x'.repeat(8 * 1024 * 1024)}`], limits);
    expect(run.errors().map((e) => e.condition)).toEqual(['policy-violation']);
  });

  it('rejects a complete oversized stanza in one huge write without delivering it', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 64 * 1024 };
    const huge = `<message><body>${'x'.repeat(8 * 1024 * 1024)}</body></message>`;
    const run = feed([HEADER + huge + '<presence/>'], limits);
    expect(run.errors().map((e) => e.condition)).toEqual(['policy-violation']);
    expect(run.stanzas()).toEqual([]);
  });

  it('rejects an endless text node while it is still arriving', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 64 * 1024 };
    const run = feed([HEADER, '<message><body>'], limits);
    let writes = 0;
    while (run.errors().length === 0 && writes < 1000) {
      run.parser.write('y'.repeat(1024));
      writes++;
    }
    expect(run.errors().map((e) => e.condition)).toEqual(['policy-violation']);
    // Caught within one 16 KiB slice of crossing the limit, never at the end tag (which never comes).
    expect(writes).toBeGreaterThanOrEqual(64);
    expect(writes).toBeLessThanOrEqual(64 + 17);
    expect(run.stanzas()).toEqual([]);
  });

  it('applies the byte limit to a stanza split across many writes', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 100 };
    const chunks = [HEADER, ...`<message><body>${'z'.repeat(100)}</body></message>`];
    expect(conditionOf(chunks, limits)).toBe('policy-violation');
  });

  it('allows nesting to maxDepth (the stanza is depth 1); one deeper is policy-violation', () => {
    const nest = (depth: number, leaf: string): string =>
      '<a>'.repeat(depth - 1) + leaf + '</a>'.repeat(depth - 1);
    expect(feed([HEADER, nest(8, '<b/>')]).stanzas()).toHaveLength(1);
    expect(conditionOf([HEADER, nest(9, '<b/>')])).toBe('policy-violation');
    expect(conditionOf([HEADER, nest(9, '<b>')])).toBe('policy-violation');
  });

  it('allows maxAttributes on an element; one more is policy-violation', () => {
    const attrs = (n: number): string => Array.from({ length: n }, (_, i) => ` a${i}='${i}'`).join('');
    expect(stanzaOf(`<message${attrs(16)}/>`).attrs).toHaveProperty('a15', '15');
    expect(conditionOf([HEADER, `<message><x${attrs(17)}/></message>`])).toBe('policy-violation');
  });
});

describe('namespaces (RFC 6120 §4.8, §4.9.3)', () => {
  it('RFC 6120 §4.9.3.10: a stream element in the wrong namespace is invalid-namespace', () => {
    expect(conditionOf(["<stream:stream xmlns:stream='urn:wrong' xmlns='jabber:client'>"])).toBe('invalid-namespace');
    expect(conditionOf(["<stream xmlns='jabber:client'>"])).toBe('invalid-namespace');
    expect(conditionOf(['<stream>'])).toBe('invalid-namespace');
  });

  it('RFC 6120 §4.9.3.10: a first element other than the stream is invalid-namespace', () => {
    expect(conditionOf(["<message xmlns='jabber:client'>"])).toBe('invalid-namespace');
    expect(conditionOf([`<stream:features xmlns:stream='${NS.stream}'>`])).toBe('invalid-namespace');
  });

  it('accepts any prefix bound to the streams namespace', () => {
    const run = feed([`<s:stream xmlns:s='${NS.stream}' xmlns='jabber:client'><s:features/></s:stream>`]);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'stanza', 'end']);
  });

  it('a first "element" that is not XML at all is not-well-formed', () => {
    expect(conditionOf(['GET / HTTP/1.1\r\n'])).toBe('not-well-formed');
  });

  it('RFC 6120 §4.9.3.2: an unbound prefix on the stream element is bad-namespace-prefix', () => {
    expect(conditionOf(["<foo:stream xmlns='jabber:client'>"])).toBe('bad-namespace-prefix');
  });

  it('RFC 6120 §4.9.3.2: an unbound element prefix in a stanza is bad-namespace-prefix', () => {
    expect(conditionOf([HEADER, '<foo:message/>'])).toBe('bad-namespace-prefix');
    expect(conditionOf([HEADER, '<message><x:y/></message>'])).toBe('bad-namespace-prefix');
  });

  it('RFC 6120 §4.9.3.2: an unbound attribute prefix is bad-namespace-prefix', () => {
    expect(conditionOf([HEADER, "<message foo:bar='1'/>"])).toBe('bad-namespace-prefix');
  });

  it('a prefix declared on an ancestor is in scope, and one declared on a sibling is not', () => {
    expect(stanzaOf("<message xmlns:x='urn:x'><x:a><x:b/></x:a></message>").getChild('a', 'urn:x')).toBeDefined();
    expect(conditionOf([HEADER, "<message><a xmlns:x='urn:x'/><x:b/></message>"])).toBe('bad-namespace-prefix');
  });
});

describe('encoding (RFC 6120 §11.6)', () => {
  it('RFC 6120 §11.6: invalid UTF-8 is not-well-formed', () => {
    expect(conditionOf([HEADER, Buffer.from([0x3c, 0x61, 0xc3, 0x28, 0x3e])])).toBe('not-well-formed');
    expect(conditionOf([HEADER, Buffer.from('<a>'), Buffer.from([0xc0, 0xaf])])).toBe('not-well-formed'); // overlong
    expect(conditionOf([HEADER, Buffer.from('<a>'), Buffer.from([0xed, 0xa0, 0x80])])).toBe('not-well-formed'); // surrogate
  });

  it('RFC 6120 §11.6: a character cut short by the next bytes is not-well-formed', () => {
    const run = feed([HEADER, '<a>', Buffer.from([0xe4, 0xb8])]);
    expect(run.errors()).toEqual([]);
    run.parser.write('</a>');
    expect(run.errors().map((e) => e.condition)).toEqual(['not-well-formed']);
  });

  it('RFC 6120 §11.6: a declared encoding other than UTF-8 is unsupported-encoding', () => {
    expect(conditionOf(["<?xml version='1.0' encoding='ISO-8859-1'?>", HEADER])).toBe('unsupported-encoding');
    expect(feed(["<?xml version='1.0' encoding='utf-8'?>", HEADER]).errors()).toEqual([]);
  });

  it('RFC 6120 §11.6: UTF-16 input is unsupported-encoding', () => {
    expect(conditionOf([Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')])])).toBe(
      'unsupported-encoding',
    );
    expect(conditionOf([Buffer.from(HEADER, 'utf16le')])).toBe('unsupported-encoding');
  });
});

describe('escaping round trip', () => {
  it('unescapes &lt;&amp; and &#x1F600; and serialises back to the same element', () => {
    const el = stanzaOf("<message id='&lt;&amp;'><body>&lt;&amp; &#x1F600;</body></message>");
    expect(el.attrs['id']).toBe('<&');
    expect(el.getChildText('body')).toBe('<& 😀');
    expect(dump(stanzaOf(el.toString()))).toEqual(dump(el));
  });
});

describe('malformed XML is not-well-formed (RFC 6120 §11.4)', () => {
  const cases: Array<[string, string]> = [
    ['mismatched end tag', '<message><body></message>'],
    ['unquoted attribute value', '<message id=a/>'],
    ['repeated attribute', "<message id='a' id='b'/>"],
    ['no space between attributes', "<message id='a'to='b'/>"],
    ["'<' in an attribute value", "<message id='<'/>"],
    ["']]>' in text", '<message>a]]>b</message>'],
    ['bare &', '<message>a & b</message>'],
    ['reference without ;', '<message>&amp b</message>'],
    ['reference to a surrogate', '<message>&#xD800;</message>'],
    ['reference to NUL', '<message>&#0;</message>'],
    ['upper-case X in a reference', '<message>&#X41;</message>'],
    ['control character', '<message>\u0001</message>'],
    ['name with two colons', '<a:b:c/>'],
    ["'<' followed by a space", '< message/>'],
    ['end tag for the wrong stream element', '</stream:other>'],
  ];
  for (const [what, xml] of cases) {
    it(`${what}`, () => {
      expect(conditionOf([HEADER, xml])).toBe('not-well-formed');
    });
  }

  it('a malformed XML declaration', () => {
    expect(conditionOf(["<?xml version='2'?>", HEADER])).toBe('not-well-formed');
  });
});

describe('error reporting', () => {
  it('reports the first error once and ignores all later input', () => {
    const run = feed([HEADER, '<!-- one -->', '<!-- two -->', '<presence/>', CLOSE]);
    run.parser.end();
    expect(run.events.map((e) => e.type)).toEqual(['start', 'error']);
    expect(run.errors()[0]).toBeInstanceOf(StreamError);
  });

  it('stops at the error even when good stanzas follow it in the same write', () => {
    const run = feed([HEADER + '<presence/><message>&bogus;</message><presence/>']);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'stanza', 'error']);
  });

  it('never throws out of write(): a throwing handler becomes internal-server-error', () => {
    const errors: StreamError[] = [];
    const parser = createStreamParser(LIMITS, {
      streamStart: () => {},
      stanza: () => {
        throw new Error('handler bug');
      },
      streamEnd: () => {},
      error: (e) => errors.push(e),
    });
    expect(() => parser.write(HEADER + '<presence/><presence/>')).not.toThrow();
    expect(errors.map((e) => e.condition)).toEqual(['internal-server-error']);
  });

  it('end() from a handler stops the parser at once', () => {
    const names: string[] = [];
    const parser: StreamParser = createStreamParser(LIMITS, {
      streamStart: () => {},
      stanza: (el) => {
        names.push(el.name);
        parser.end();
      },
      streamEnd: () => names.push('end'),
      error: (e) => names.push(e.condition),
    });
    parser.write(HEADER + '<presence/><message/>' + CLOSE);
    expect(names).toEqual(['presence']);
  });
});
