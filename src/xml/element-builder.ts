// Elements from a complete piece of XML text, e.g. a stanza stored as a string and read back. The stream
// parser's scanner does the work, in one-shot mode: the same strict checks and the same elements as for
// stream input, with no size limits (what is read back was within them when it arrived).
import { StreamError } from '../protocol/stream-error.js';
import type { Element } from './element.js';
import { XmlScanner, type ScanSink } from './xml-scanner.js';

const UNLIMITED = {
  maxStanzaBytes: Number.POSITIVE_INFINITY,
  maxDepth: Number.POSITIVE_INFINITY,
  maxAttributes: Number.POSITIVE_INFINITY,
};

// Collects what one scan delivers.
class Collector implements ScanSink {
  root: Element | undefined;
  readonly elements: Element[] = [];
  ended = false;

  rootTag(element: Element): void {
    this.root = element;
  }

  stanza(element: Element): void {
    this.elements.push(element);
  }

  rootEnd(): void {
    this.ended = true;
  }
}

/** Stateless; kept as a class for its callers. Any failure is not-well-formed "element could not be built". */
export class ElementBuilder {
  /** Exactly one complete element (white space around it allowed); the result has no parent. */
  element(source: string): Element {
    const found = scan(source, true);
    if (found.elements.length !== 1) throw malformed();
    return found.elements[0]!;
  }

  /** A stream's start tag alone: the element is left open when the source ends. */
  startTag(source: string): Element {
    const found = scan(source, false);
    if (!found.root || found.elements.length > 0) throw malformed();
    return found.root;
  }
}

function scan(source: string, fragment: boolean): Collector {
  const collector = new Collector();
  const scanner = new XmlScanner(UNLIMITED, collector, fragment);
  try {
    scanner.feed(source);
  } catch {
    throw malformed();
  }
  if (!scanner.atRest || collector.ended) throw malformed();
  return collector;
}

const builder = new ElementBuilder();

/** One complete element from source text. */
export function buildElement(source: string): Element {
  return builder.element(source);
}

/** A stream's start tag alone. */
export function buildStartTag(source: string): Element {
  return builder.startTag(source);
}

function malformed(): StreamError {
  return new StreamError('not-well-formed', 'element could not be built');
}
