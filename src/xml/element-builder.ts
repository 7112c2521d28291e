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

// Collects the elements one scan delivers (input in fragment mode has no stream tag around it).
class Collector implements ScanSink {
  readonly elements: Element[] = [];

  rootTag(): void {
    throw malformed();
  }

  stanza(element: Element): void {
    this.elements.push(element);
  }

  rootEnd(): void {
    throw malformed();
  }
}

/**
 * Exactly one complete element from source text (white space around it allowed); the result has no
 * parent. Any failure is not-well-formed "element could not be built".
 */
export function buildElement(source: string): Element {
  const collector = new Collector();
  const scanner = new XmlScanner(UNLIMITED, collector, true);
  try {
    scanner.feed(source);
  } catch {
    throw malformed();
  }
  if (!scanner.atRest || collector.elements.length !== 1) throw malformed();
  return collector.elements[0]!;
}

function malformed(): StreamError {
  return new StreamError('not-well-formed', 'element could not be built');
}
