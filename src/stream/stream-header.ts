// The opening tag of a stream (RFC 6120 §4.7), serialised by the XML builder so attribute
// values are escaped; the element is written open, as a stream is one long document.
import { xml } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { serialize } from '../xml/serialize.js';

export function streamHeader(attrs: { xmlns: string; id?: string; from?: string; to?: string; version?: string; 'xmlns:db'?: string }): string {
  const element = xml('stream:stream', {
    xmlns: attrs.xmlns,
    'xmlns:stream': NS.stream,
    // Server dialback (XEP-0220) elements use the db: prefix declared on the stream.
    'xmlns:db': attrs['xmlns:db'],
    id: attrs.id,
    from: attrs.from,
    to: attrs.to,
    version: attrs.version ?? '1.0',
    'xml:lang': 'en',
  });
  const selfClosed = serialize(element);
  return `<?xml version='1.0'?>${selfClosed.slice(0, -2)}>`;
}

export const STREAM_CLOSE = '</stream:stream>';
