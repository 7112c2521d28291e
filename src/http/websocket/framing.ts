// RFC 7395 framing: the stream is opened and closed with <open/> and <close/> in the framing
// namespace, and every WebSocket message is one complete, stand-alone XML element. The rest of
// the stream (negotiation, limits, stream management) is the TCP one, in src/stream/.
import { xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { serialize } from '../../xml/serialize.js';
import { StreamError } from '../../protocol/stream-error.js';
import { createStreamParser, type StreamParser, type StreamParserHandler, type StreamParserLimits } from '../../xml/stream-parser.js';
import type { StreamFraming, StreamHeaderAttrs } from '../../stream/stream-framing.js';
import type { Element } from '../../xml/element.js';

const CLOSE = serialize(xml('close', { xmlns: NS.framing }));
// Each message is parsed as the only child of a stream of its own: the parser's checks (limits,
// restricted XML, prefixes) apply as on TCP, and the closing tag we add shows whether the
// message ended inside an element.
const ROOT_OPEN = `<stream:stream xmlns="${NS.client}" xmlns:stream="${NS.stream}">`;
const ROOT_CLOSE = '</stream:stream>';
const STREAM_PREFIX_DECLARATION = ` xmlns:stream="${NS.stream}"`;
const CLIENT_NAMESPACE = ` xmlns="${NS.client}"`;

function header(attrs: StreamHeaderAttrs): string {
  return serialize(xml('open', { xmlns: NS.framing, id: attrs.id, from: attrs.from, to: attrs.to, version: attrs.version ?? '1.0', 'xml:lang': 'en' }));
}

/**
 * §3.3.3: a message stands alone, so it declares its namespaces itself. Our serialiser writes
 * attribute values with `"` and `>` escaped, so the start tag ends at the first `>` and a
 * ` xmlns="` inside it is an attribute.
 */
function element(text: string): string {
  const tagEnd = text.indexOf('>');
  const nameEnd = text.search(/[\s/>]/);
  if (tagEnd < 0 || nameEnd < 0) return text;
  const startTag = text.slice(0, tagEnd);
  if (text.startsWith('<stream:')) {
    return startTag.includes(' xmlns:stream="') ? text : text.slice(0, nameEnd) + STREAM_PREFIX_DECLARATION + text.slice(nameEnd);
  }
  return startTag.includes(' xmlns="') ? text : text.slice(0, nameEnd) + CLIENT_NAMESPACE + text.slice(nameEnd);
}

class MessageParser implements StreamParser {
  private stopped = false;
  /** One parser per stream (XmlStream makes a new one at each restart): one <open/> each. */
  private opened = false;

  constructor(
    private readonly limits: StreamParserLimits,
    private readonly handler: StreamParserHandler,
  ) {}

  /** One whole WebSocket message (the transport never splits or joins them). */
  write(message: Buffer | string): void {
    if (this.stopped) return;
    const found: Element[] = [];
    let failure: StreamError | undefined;
    let ended = false;
    const parser = createStreamParser(this.limits, {
      streamStart: () => undefined,
      stanza: (e) => void found.push(e),
      streamEnd: () => void (ended = true),
      error: (e) => void (failure = e),
    });
    parser.write(ROOT_OPEN);
    parser.write(message);
    const messageFailure = failure;
    if (!ended && failure === undefined) parser.write(ROOT_CLOSE);
    // A failure only at our closing tag means the message ended inside an element.
    if (messageFailure === undefined && !(ended && failure === undefined && found.length <= 1)) {
      failure = new StreamError('not-well-formed', 'each WebSocket message must hold exactly one complete XML element (RFC 7395 §3.3.3)');
    }
    if (failure) return this.fail(failure);
    const [only] = found;
    if (only) this.dispatch(only); // a message of whitespace alone is ignored
  }

  end(): void {
    this.stopped = true;
  }

  private dispatch(e: Element): void {
    const framing = e.attrs.xmlns === NS.framing;
    if (framing && e.name === 'open' && !this.opened) {
      this.opened = true;
      const attrs = { ...(e.attrs as Record<string, string>), xmlns: NS.client, 'xmlns:stream': NS.stream };
      return this.handler.streamStart(attrs);
    }
    if (!this.opened) return this.fail(new StreamError('not-well-formed', `<${e.name}/> before <open/>: a stream starts with <open xmlns='${NS.framing}'/> (RFC 7395 §3.4)`));
    if (!framing) return this.handler.stanza(e);
    if (e.name === 'close') {
      this.stopped = true;
      return this.handler.streamEnd();
    }
    this.fail(new StreamError('unsupported-stanza-type', `<${e.name}/> is not expected here; in the framing namespace a client sends one <open/> per stream and <close/> (RFC 7395 §3.4, §3.6)`));
  }

  private fail(error: StreamError): void {
    this.stopped = true;
    this.handler.error(error);
  }
}

export const WEBSOCKET_FRAMING: StreamFraming = {
  name: 'websocket',
  header,
  element,
  close: CLOSE,
  parser: (limits, handler) => new MessageParser(limits, handler),
};
