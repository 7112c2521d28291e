// Feeding the stream parser for the fuzz tests: what it reported, as plain data that can be compared
// between two runs of the same input split differently.
import type { Element } from '../../src/xml/element.js';
import { StreamError } from '../../src/protocol/stream-error.js';
import { createStreamParser, type StreamParserLimits } from '../../src/xml/stream-parser.js';

export const LIMITS: StreamParserLimits = { maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 16 };
export const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

export type ElementDump = { name: string; attrs: Record<string, string>; children: Array<ElementDump | string> };

export type ParserEvent =
  | { type: 'start'; attrs: Record<string, string> }
  | { type: 'stanza'; element: ElementDump }
  | { type: 'end' }
  | { type: 'error'; condition: string; text: string | undefined; isStreamError: boolean };

export interface ParserRun {
  events: ParserEvent[];
  /** Something write() threw: the parser promises it never throws. */
  thrown: unknown;
}

/** Name, attributes and children exactly (text children as they are, not merged). */
export function dumpElement(node: Element): ElementDump {
  return {
    name: node.name,
    attrs: { ...(node.attrs as Record<string, string>) },
    children: node.children.map((c) => (typeof c === 'string' ? c : dumpElement(c as Element))),
  };
}

/** Feeds the chunks one write() each and records every event. */
export function feedChunks(chunks: readonly Buffer[], limits: StreamParserLimits = LIMITS): ParserRun {
  const events: ParserEvent[] = [];
  const parser = createStreamParser(limits, {
    streamStart: (attrs) => events.push({ type: 'start', attrs }),
    stanza: (element) => events.push({ type: 'stanza', element: dumpElement(element) }),
    streamEnd: () => events.push({ type: 'end' }),
    error: (error) =>
      events.push({ type: 'error', condition: error.condition, text: error.text, isStreamError: error instanceof StreamError }),
  });
  let thrown: unknown;
  for (const chunk of chunks) {
    try {
      parser.write(chunk);
    } catch (error) {
      thrown ??= error;
    }
  }
  return { events, thrown };
}

/** `bytes` cut at the given offsets (taken modulo its length, sorted, duplicates giving empty chunks). */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** The stanzas a run produced. */
export function stanzas(run: ParserRun): ElementDump[] {
  return run.events.flatMap((e) => (e.type === 'stanza' ? [e.element] : []));
}

/** The error events of a run. */
export function errors(run: ParserRun): Array<Extract<ParserEvent, { type: 'error' }>> {
  return run.events.flatMap((e) => (e.type === 'error' ? [e] : []));
}
