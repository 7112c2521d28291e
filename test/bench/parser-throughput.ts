// Stream parser throughput: ~20 MB of chat traffic fed in 16 KiB chunks, median MB/s of several runs.
// Not part of `npm test`. Run: npx tsx test/bench/parser-throughput.ts [megabytes] [runs]
// (tsx is not a dependency; without it, compile this file with tsc to a directory outside the tree, e.g. a
// tsconfig extending ../../tsconfig.json with rootDir '.', and run the .js with node.)
//
// Candidates:
//   herald       createStreamParser as shipped: the scanner checking and building in one pass (all guarantees)
//   scanner      the scanner alone: checks and builds, without the namespace checks or the handler
//   ltx-raw      ltx's tokenizer building elements with no checks at all (unsafe; the former builder)
//   sax-strict   sax in strict mode building elements, with the checks sax's events allow (comments, PIs,
//                DOCTYPE, depth, attribute count); still short of the guarantees (no byte limit, duplicate
//                attributes dropped silently, `&AMP;` accepted, ...), so it is an upper bound for that route
import SaxLtx from 'ltx/lib/parsers/ltx.js';
import sax from 'sax';
import { Element } from '../../src/xml/element.js';
import { createStreamParser } from '../../src/xml/stream-parser.js';
import { Utf8Input } from '../../src/xml/utf8-input.js';
import { XmlScanner } from '../../src/xml/xml-scanner.js';

const LIMITS = { maxStanzaBytes: 256 * 1024, maxDepth: 32, maxAttributes: 64 };
const CHUNK = 16 * 1024;
const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "to='capulet.example' version='1.0' xml:lang='en'>";

const BODIES = [
  'Wherefore art thou, Romeo?',
  'Deny thy father &amp; refuse thy name; or, if thou wilt not, be but sworn my love.',
  "See you at the café at 8 — don't be late 😀",
  '你好，今晚见面吗？',
  'if (a &lt; b &amp;&amp; c &gt; d) { return; }',
];

/** One realistic chat stanza; mostly messages, some presence and iq. */
function stanza(i: number): string {
  const from = `juliet@capulet.example/balcony${i % 7}`;
  const to = `romeo@montague.example/orchard${i % 5}`;
  switch (i % 10) {
    case 0:
      return `<presence from='${from}' id='p${i}'><show>away</show><status>At the ball</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://herald.example' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>\n`;
    case 1:
      return `<iq type='get' id='ping${i}' to='capulet.example'><ping xmlns='urn:xmpp:ping'/></iq>\n`;
    case 2:
      return `<message to='${to}' id='r${i}' type='chat'><received xmlns='urn:xmpp:receipts' id='m${i - 1}'/></message>\n`;
    default:
      return (
        `<message to='${to}' from='${from}' type='chat' id='m${i}' xml:lang='en'>` +
        `<body>${BODIES[i % BODIES.length]} #${i}</body>` +
        `<active xmlns='http://jabber.org/protocol/chatstates'/><request xmlns='urn:xmpp:receipts'/>` +
        `<origin-id xmlns='urn:xmpp:sid:0' id='4a9c0e6f-${i}'/></message>\n`
      );
  }
}

function corpus(megabytes: number): { chunks: Buffer[]; bytes: number; stanzas: number } {
  const parts = [HEADER];
  let bytes = Buffer.byteLength(HEADER);
  let stanzas = 0;
  while (bytes < megabytes * 1e6) {
    const s = stanza(stanzas++);
    parts.push(s);
    bytes += Buffer.byteLength(s);
  }
  const all = Buffer.from(parts.join(''));
  const chunks: Buffer[] = [];
  for (let o = 0; o < all.length; o += CHUNK) chunks.push(all.subarray(o, o + CHUNK));
  return { chunks, bytes: all.length, stanzas };
}

type Candidate = (chunks: Buffer[]) => number;

const herald: Candidate = (chunks) => {
  let count = 0;
  const parser = createStreamParser(LIMITS, {
    streamStart: () => {},
    stanza: () => count++,
    streamEnd: () => {},
    error: (e) => {
      throw e;
    },
  });
  for (const chunk of chunks) parser.write(chunk);
  return count;
};

const scanner: Candidate = (chunks) => {
  let count = 0;
  const input = new Utf8Input();
  const scan = new XmlScanner(LIMITS, { rootTag: () => {}, stanza: () => count++, rootEnd: () => {} });
  for (const chunk of chunks) input.decode(chunk, { text: (text) => (scan.feed(text), true) });
  return count;
};

const ltxRaw: Candidate = (chunks) => {
  let count = 0;
  let depth = 0;
  let current: Element | undefined;
  const tokenizer = new SaxLtx();
  tokenizer.on('startElement', (name: string, attrs: Record<string, string>) => {
    if (depth++ === 0) return;
    const el = new Element(name, attrs);
    current?.cnode(el);
    current = el;
  });
  tokenizer.on('endElement', () => {
    if (--depth === 1) count++;
    current = current?.parent ?? undefined;
  });
  tokenizer.on('text', (text: string) => current?.t(text));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const chunk of chunks) tokenizer.write(decoder.decode(chunk, { stream: true }));
  return count;
};

const saxStrict: Candidate = (chunks) => {
  let count = 0;
  let current: Element | undefined;
  const parser = sax.parser(true, { position: false, strictEntities: true } as sax.SAXOptions);
  const reject = (): never => {
    throw new Error('restricted-xml');
  };
  parser.onerror = (e) => {
    throw e;
  };
  parser.oncomment = reject;
  parser.onprocessinginstruction = (pi) => (pi.name === 'xml' ? undefined : reject());
  parser.ondoctype = reject;
  parser.onopentag = (tag) => {
    const depth = (parser as unknown as { tags: unknown[] }).tags.length - 1;
    if (depth === 0) return;
    if (depth > LIMITS.maxDepth) throw new Error('policy-violation');
    const attrs = tag.attributes as Record<string, string>;
    if (Object.keys(attrs).length > LIMITS.maxAttributes) throw new Error('policy-violation');
    const el = new Element(tag.name, attrs);
    current?.cnode(el);
    current = el;
  };
  parser.onclosetag = () => {
    if (!current) return;
    if (!current.parent) count++;
    current = current.parent ?? undefined;
  };
  parser.ontext = (text) => current?.t(text);
  parser.oncdata = (text) => current?.t(text);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
  return count;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const megabytes = Number(process.argv[2] ?? 20);
  const runs = Number(process.argv[3] ?? 7);
  const { chunks, bytes, stanzas } = corpus(megabytes);
  console.log(`${(bytes / 1e6).toFixed(1)} MB, ${stanzas} stanzas, ${chunks.length} chunks of ${CHUNK} B, ${runs} runs`);
  const candidates: Array<[string, Candidate]> = [
    ['herald', herald],
    ['scanner', scanner],
    ['ltx-raw', ltxRaw],
    ['sax-strict', saxStrict],
  ];
  for (const [name, run] of candidates) {
    if (run(chunks) !== stanzas) throw new Error(`${name} miscounted stanzas`);
  }
  // Round-robin, so a change in machine load hits every candidate alike.
  const rates = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, run] of candidates) {
      const t0 = process.hrtime.bigint();
      run(chunks);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      rates.get(name)!.push(bytes / 1e6 / seconds);
    }
  }
  for (const [name, values] of rates) {
    const spread = `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`;
    console.log(`${name.padEnd(11)} median ${median(values).toFixed(1).padStart(6)} MB/s  (range ${spread})`);
  }
}

main();
