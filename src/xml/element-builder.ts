// Builds ltx Elements from source text the scanner has already checked. ltx's own tokenizer is fast
// but lax (it skips comments and PIs, guesses at broken markup), which is why it never sees unchecked input.
import SaxLtx from 'ltx/lib/parsers/ltx.js';
import { StreamError } from '../protocol/stream-error.js';
import { Element } from './element.js';

export class ElementBuilder {
  private readonly tokenizer = new SaxLtx();
  private current: Element | undefined;
  private built: Element | undefined;

  constructor() {
    this.tokenizer.on('startElement', (name: string, attrs: Record<string, string>) => {
      const element = new Element(name, attrs);
      if (this.current) this.current.cnode(element);
      this.current = element;
    });
    this.tokenizer.on('endElement', () => {
      const done = this.current;
      if (!done) return;
      const parent = done.parent;
      this.current = parent ?? undefined;
      if (!parent) this.built = done;
    });
    this.tokenizer.on('text', (text: string) => {
      this.current?.t(text);
    });
  }

  /** One complete element, e.g. a stanza; the result has no parent. */
  element(source: string): Element {
    const open = this.run(source);
    if (open || !this.built) throw malformed();
    return this.built;
  }

  /** The stream's start tag alone: the element is still open when the source ends. */
  startTag(source: string): Element {
    const element = this.run(source);
    if (!element || element.children.length > 0) throw malformed();
    return element;
  }

  // Returns the element left open, if any. The tokenizer is reused: checked input leaves it between tags.
  private run(source: string): Element | undefined {
    this.current = undefined;
    this.built = undefined;
    try {
      this.tokenizer.write(source);
    } catch {
      // ltx throws on entities it cannot decode; the scanner lets none through, so this is only a safety net.
      throw malformed();
    }
    const open = this.current;
    this.current = undefined;
    return open;
  }
}

// Building is synchronous and leaves the tokenizer between tags, so one builder serves every
// stream: a connection does not need one of its own. A builder that threw may hold a half-read
// tag, so it is replaced.
let shared = new ElementBuilder();

/** One complete element from checked source, with the shared builder. */
export function buildElement(source: string): Element {
  try {
    return shared.element(source);
  } catch (error) {
    shared = new ElementBuilder();
    throw error;
  }
}

/** A stream's start tag alone, with the shared builder. */
export function buildStartTag(source: string): Element {
  try {
    return shared.startTag(source);
  } catch (error) {
    shared = new ElementBuilder();
    throw error;
  }
}

function malformed(): StreamError {
  return new StreamError('not-well-formed', 'element could not be built');
}
