// Property-based fuzzing of the stream parser (src/xml/xml-scanner.ts through stream-parser.ts), RFC 6120 §4.2
// (a stream is a byte stream: TCP may cut it anywhere), §11 (restricted XML) and §13.12 (resource limits).
//
// Bounded: each property has a fixed run count and a time limit (fuzz-params.ts); the file takes a few seconds.
// Replay a failure: fast-check prints "seed: S, path: P" and the shrunk counterexample; run
//   FUZZ_SEED=S FUZZ_PATH=P npx vitest run test/fuzz/xml-parser.fuzz.test.ts -t '<the property>'
// Hunt longer: FUZZ_RUNS=50000 FUZZ_TIME_MS=600000 npx vitest run test/fuzz/xml-parser.fuzz.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xml, type Element } from '../../src/xml/element.js';
import { serialize } from '../../src/xml/serialize.js';
import { fuzzParams } from './fuzz-params.js';
import { HEADER, LIMITS, dumpElement, errors, feedChunks, splitAt, stanzas, type ElementDump, type ParserRun } from './parser-run.js';
import { elementTree, mutatedStream, xmlSoup } from './xml-arbitraries.js';

const header = Buffer.from(HEADER);
const cuts = fc.array(fc.nat({ max: 100_000 }), { maxLength: 12 });

// What a fatal error may be: a condition for bad input, never the parser's "something threw" fallback.
const INPUT_CONDITIONS = ['not-well-formed', 'restricted-xml', 'policy-violation', 'bad-format', 'invalid-namespace', 'bad-namespace-prefix', 'unsupported-encoding'];

/** The parser's contract, whatever the input: no throw, header first, stanzas, then at most one end or error. */
function checkContract(run: ParserRun): void {
  expect(run.thrown).toBeUndefined();
  const terminal = run.events.findIndex((e) => e.type === 'end' || e.type === 'error');
  if (terminal >= 0) expect(terminal).toBe(run.events.length - 1);
  run.events.forEach((event, i) => {
    if (event.type === 'start') expect(i).toBe(0);
    if (event.type === 'stanza') expect(run.events[0]?.type).toBe('start');
  });
  for (const error of errors(run)) {
    expect(error.isStreamError).toBe(true);
    expect(INPUT_CONDITIONS).toContain(error.condition);
    expect(error.text).toBeTruthy();
  }
}

/** Same input, two cuttings: same events, error text included. */
function checkChunkingInvariance(bytes: Buffer, cutsA: number[], cutsB: number[]): void {
  const a = feedChunks(splitAt(bytes, cutsA));
  const b = feedChunks(splitAt(bytes, cutsB));
  checkContract(a);
  checkContract(b);
  expect(b.events).toEqual(a.events);
}

/** Adjacent text children as one, empty ones dropped: what survives serialisation. */
function normalise(node: ElementDump): ElementDump {
  const children: Array<ElementDump | string> = [];
  for (const child of node.children) {
    if (typeof child !== 'string') children.push(normalise(child));
    else if (child === '') continue;
    else if (typeof children[children.length - 1] === 'string') children[children.length - 1] += child;
    else children.push(child);
  }
  return { name: node.name, attrs: node.attrs, children };
}

describe('stream parser fuzzing: arbitrary input (RFC 6120 §4.2, §11)', () => {
  it('arbitrary bytes after a valid header, cut anywhere: never throws, only elements then at most one stream error, same events whatever the cutting', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), cuts, cuts, (body, a, b) => {
        checkChunkingInvariance(Buffer.concat([header, body]), a, b);
      }),
      fuzzParams(3000, 6000),
    );
  });

  it('arbitrary bytes from the first byte (prolog, declaration, BOM, stream tag) obey the same contract', () => {
    const prolog = fc.constantFrom('', '\uFEFF', "<?xml version='1.0'?>", "<?xml version='1.0' encoding='UTF-8'?>", '<?xml', ' ', '<stream:stream');
    fc.assert(
      fc.property(prolog, fc.uint8Array({ maxLength: 200 }), cuts, cuts, (start, body, a, b) => {
        checkChunkingInvariance(Buffer.concat([Buffer.from(start), body]), a, b);
      }),
      fuzzParams(2000, 4000),
    );
  });

  it('XML-like token soup (markup, references, CDATA, comments, multi-byte characters) obeys the contract, cut anywhere', () => {
    fc.assert(
      fc.property(xmlSoup, cuts, cuts, (soup, a, b) => {
        checkChunkingInvariance(Buffer.concat([header, Buffer.from(soup)]), a, b);
      }),
      fuzzParams(4000, 8000),
    );
  });

  it('valid streams with random byte mutations obey the contract, cut anywhere', () => {
    fc.assert(
      fc.property(mutatedStream, cuts, cuts, (bytes, a, b) => {
        checkChunkingInvariance(bytes, a, b);
      }),
      fuzzParams(3000, 8000),
    );
  });

  it('one byte per write gives the same events as one write (a sample of soups)', () => {
    fc.assert(
      fc.property(xmlSoup, (soup) => {
        const bytes = Buffer.concat([header, Buffer.from(soup)]);
        const whole = feedChunks([bytes]);
        const bytewise = feedChunks([...bytes].map((b) => Buffer.of(b)));
        checkContract(whole);
        expect(bytewise.events).toEqual(whole.events);
      }),
      fuzzParams(300, 4000),
    );
  });
});

describe('stream parser fuzzing: valid stanzas round-trip', () => {
  it('serialize() then parse, cut anywhere, gives back the same element (text runs merged)', () => {
    fc.assert(
      fc.property(fc.array(elementTree, { minLength: 1, maxLength: 4 }), cuts, (elements, a) => {
        const wire = Buffer.from(HEADER + elements.map(serialize).join(''));
        const run = feedChunks(splitAt(wire, a), { ...LIMITS, maxStanzaBytes: 1 << 20 });
        checkContract(run);
        expect(errors(run)).toEqual([]);
        expect(stanzas(run).map(normalise)).toEqual(elements.map((e) => normalise(dumpElement(e))));
      }),
      fuzzParams(2000, 8000),
    );
  });
});

describe('stream parser fuzzing: limits hold whatever the cutting (RFC 6120 §13.12)', () => {
  const padded = (element: Element): Element => xml('message', { xmlns: 'jabber:client' }, element, xml('body', {}, 'p'.repeat(200)));

  it('maxStanzaBytes: a stanza of exactly the limit passes, one byte more is policy-violation', () => {
    fc.assert(
      fc.property(elementTree, fc.integer({ min: -3, max: 3 }), cuts, (element, slack, a) => {
        const stanza = Buffer.from(serialize(padded(element)));
        const limits = { ...LIMITS, maxStanzaBytes: stanza.length + slack, maxDepth: 64, maxAttributes: 64 };
        const run = feedChunks(splitAt(Buffer.concat([header, stanza]), a), limits);
        checkContract(run);
        expect(errors(run).map((e) => e.condition)).toEqual(slack < 0 ? ['policy-violation'] : []);
        expect(stanzas(run)).toHaveLength(slack < 0 ? 0 : 1);
      }),
      fuzzParams(1000, 5000),
    );
  });

  it('maxDepth and maxAttributes: at the limit passes, one over is policy-violation', () => {
    // At least 5 attributes, so a limit one below still admits the stream tag's 4.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 5, max: 20 }), fc.integer({ min: -1, max: 1 }), fc.boolean(), cuts, (depth, attributes, slack, which, a) => {
        const limits = which
          ? { ...LIMITS, maxDepth: depth - slack, maxAttributes: 64 }
          : { ...LIMITS, maxDepth: 64, maxAttributes: attributes - slack };
        let inner = xml('leaf', Object.fromEntries(Array.from({ length: attributes }, (_, i) => [`a${i}`, `v${i}`])));
        for (let d = 1; d < depth; d++) inner = xml(d === depth - 1 ? 'message' : 'x', {}, inner);
        const over = which ? depth > limits.maxDepth : attributes > limits.maxAttributes;
        const run = feedChunks(splitAt(Buffer.concat([header, Buffer.from(serialize(inner))]), a), limits);
        checkContract(run);
        expect(errors(run).map((e) => e.condition)).toEqual(over ? ['policy-violation'] : []);
      }),
      fuzzParams(1000, 4000),
    );
  });
});
