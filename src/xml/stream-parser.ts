// The XMPP stream parser (RFC 6120 §4, §11): UTF-8 bytes in, stream header, stanzas and stream end out.
//
// Pipeline: Utf8Input (fatal streaming decode in 16 KiB slices) → XmlScanner (strict checks, limits, framing)
// → ElementBuilder (ltx tokenizer on checked source) → namespace checks → handler.
//
// Tokenizer: ltx's, behind a guarding scanner, chosen by test/bench/parser-throughput.ts (20 MB of chat
// stanzas in 16 KiB chunks, medians of 9 interleaved runs, three sessions; Node 20, 2 shared vCPUs):
//   ltx + guarding scanner (this parser, every guarantee)   50-52 MB/s
//   sax strict + event checks (still short of them)          36-37 MB/s
//   ltx alone, no checks (unsafe; the ceiling of that route) 100-106 MB/s
//   the guarding scanner alone                              124-130 MB/s
// sax also needs patching around to keep the guarantees (it drops repeated attributes silently, accepts
// `&AMP;`, '<' in attribute values and `]]>` in text, and reports a comment or DOCTYPE only once it ends), so
// the ltx route wins on both counts. The scanner has to look at every character anyway; ltx only builds.
import { StreamError } from '../protocol/stream-error.js';
import type { Element } from './element.js';
import { buildElement, buildStartTag } from './element-builder.js';
import { checkPrefixes, checkStreamTag, type PrefixScope } from './namespaces.js';
import { Utf8Input } from './utf8-input.js';
import { XmlScanner, type ScanSink } from './xml-scanner.js';

export interface StreamParserLimits {
  /** UTF-8 bytes of one stanza, from its '<' to the end of its end tag (also bounds the stream tag). */
  maxStanzaBytes: number;
  /** Element nesting inside the stream; the stanza itself is depth 1. */
  maxDepth: number;
  /** Attributes on any one element, the stream tag included. */
  maxAttributes: number;
}

export interface StreamParserHandler {
  /** The <stream:stream> open tag: its attributes exactly as written (xmlns, xmlns:stream, to, from, version, xml:lang, id, ...). */
  streamStart(attrs: Record<string, string>): void;
  /** Each complete first-level child of the stream (stanzas and nonzas), as an ltx Element. */
  stanza(element: Element): void;
  /** </stream:stream> received. */
  streamEnd(): void;
  /** Fatal error; after it the parser ignores all further input. */
  error(error: StreamError): void;
}

export interface StreamParser {
  /** Never throws. Handlers must not call write(); they may call end(), which stops the parser at once. */
  write(chunk: Buffer | string): void;
  /**
   * Stops the parser (transport closed, or the stream is being restarted): nothing more is reported, not even
   * for an unfinished document, since there is no one left to tell. Safe to call from inside a handler.
   */
  end(): void;
}

// Thrown from inside the scan to stop it when a handler ended the parser mid-write.
const HALT = Symbol('halt');

export function createStreamParser(limits: StreamParserLimits, handler: StreamParserHandler): StreamParser {
  return new XmppStreamParser(limits, handler);
}

// A class rather than closures, and the element builder shared (buildElement): a parser lives
// per connection, and a new one per stream restart.
class XmppStreamParser implements StreamParser, ScanSink {
  private readonly input = new Utf8Input();
  private readonly scanner: XmlScanner;
  private scope: PrefixScope | undefined;
  private stopped = false;
  private busy = false;

  constructor(
    limits: StreamParserLimits,
    private readonly handler: StreamParserHandler,
  ) {
    this.scanner = new XmlScanner(limits, this);
  }

  write(chunk: Buffer | string): void {
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.input.decode(bytes, this);
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  end(): void {
    this.stopped = true;
  }

  /** Utf8Input's consumer: one decoded slice; false stops the decoding. */
  text(text: string): boolean {
    this.scanner.feed(text);
    return !this.stopped;
  }

  // ScanSink
  rootTag(source: string): void {
    const root = buildStartTag(source);
    this.scope = checkStreamTag(root);
    this.handler.streamStart({ ...(root.attrs as Record<string, string>) });
    if (this.stopped) throw HALT;
  }

  stanza(source: string): void {
    const element = buildElement(source);
    if (!this.scope) throw new StreamError('internal-server-error', 'stanza before stream header');
    checkPrefixes(element, this.scope);
    this.handler.stanza(element);
    if (this.stopped) throw HALT;
  }

  rootEnd(): void {
    this.stopped = true;
    this.handler.streamEnd();
  }

  private fail(error: unknown): void {
    if (error === HALT || this.stopped) return;
    this.stopped = true;
    const reported = error instanceof StreamError ? error : new StreamError('internal-server-error', 'stream parser failure');
    try {
      this.handler.error(reported);
    } catch {
      // write() must not throw, and there is no one left to tell.
    }
  }
}
