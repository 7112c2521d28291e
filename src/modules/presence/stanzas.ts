// Building and re-addressing presence stanzas. Stanzas are immutable once routed, so every change
// is made on a copy.
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { buildElement } from '../../xml/element-builder.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';

/** XEP-0203 Delayed Delivery. */
export const DELAY_NS = 'urn:xmpp:delay';

/** A copy of `presence` with new addresses; `to` undefined removes it. */
export function readdressed(presence: Element, from: string, to: string | undefined): Element {
  const copy = cloneElement(presence);
  copy.attrs.from = from;
  if (to === undefined) delete copy.attrs.to;
  else copy.attrs.to = to;
  return copy;
}

/**
 * The last available presence of a resource, from its registry record so any node can answer.
 * The XML is our own serialisation of a stanza the stream parser accepted, so it is well-formed.
 */
export function lastPresenceOf(ref: SessionRef): Element {
  if (ref.presence !== undefined) {
    try {
      return buildElement(ref.presence);
    } catch {
      // Fall through: a plain available presence still tells the truth about availability.
    }
  }
  return xml('presence', { from: ref.jid });
}

export function unavailablePresence(from: string, to?: string): Element {
  return xml('presence', { type: 'unavailable', from, to });
}
