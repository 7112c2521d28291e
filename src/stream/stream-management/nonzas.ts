// XEP-0198 elements (namespace urn:xmpp:sm:3), built with the one XML builder; used by client
// sessions and server links alike.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';

export const smFeature = (): Element => xml('sm', { xmlns: NS.sm });
export const ackRequest = (): Element => xml('r', { xmlns: NS.sm });
export const ackAnswer = (h: number): Element => xml('a', { xmlns: NS.sm, h });

export function enabled(id: string | undefined, maxSeconds: number | undefined): Element {
  return xml('enabled', { xmlns: NS.sm, id, resume: id ? 'true' : undefined, max: maxSeconds });
}

export const resumed = (previd: string, h: number): Element => xml('resumed', { xmlns: NS.sm, previd, h });

/** `<failed/>` with a stanza error condition, and the old session's `h` when known. */
export function failed(condition: string, h?: number, text?: string): Element {
  return xml(
    'failed',
    { xmlns: NS.sm, h },
    xml(condition, { xmlns: NS.stanzas }),
    text ? xml('text', { xmlns: NS.stanzas }, text) : null,
  );
}
