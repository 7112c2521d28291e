// How a stream's open, close and elements look on the wire, and how its input is parsed. TCP
// (RFC 6120) is one long document; WebSocket (RFC 7395) frames each as a document of its own,
// which src/http/websocket/framing.ts provides.
import { createStreamParser, type StreamParser, type StreamParserHandler, type StreamParserLimits } from '../xml/stream-parser.js';
import { STREAM_CLOSE, streamHeader } from './stream-header.js';

export type StreamHeaderAttrs = Parameters<typeof streamHeader>[0];

export interface StreamFraming {
  /** The transport, as session listings and metrics name it. */
  readonly name: 'tcp' | 'websocket';
  header(attrs: StreamHeaderAttrs): string;
  /** A serialised top-level element, as it must be written. */
  element(text: string): string;
  readonly close: string;
  /** A parser for one stream (a new one after each restart). */
  parser(limits: StreamParserLimits, handler: StreamParserHandler): StreamParser;
}

const same = (text: string): string => text;

export const TCP_FRAMING: StreamFraming = {
  name: 'tcp',
  header: streamHeader,
  element: same,
  close: STREAM_CLOSE,
  parser: createStreamParser,
};
