// Namespaces of XEP-0313 and the XEPs it builds on, and the one access rule every request obeys.
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';

export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_MAM_EXTENDED = 'urn:xmpp:mam:2#extended';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_RETRACT = 'urn:xmpp:message-retract:1';
export const NS_RETRACT_TOMBSTONE = 'urn:xmpp:message-retract:1#tombstone';

/** §7 (Security): only the account's own clients may read or configure its archive. */
export function ownArchive(request: IqRequest): void {
  if (!request.origin || !request.from.bare.equals(request.to.bare)) {
    throw new StanzaError('forbidden', 'only the account itself may use its message archive');
  }
}
