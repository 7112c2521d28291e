// Namespaces of XEP-0191 and XEP-0377, and the one access rule every blocking request obeys.
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';

export const NS_BLOCKING = 'urn:xmpp:blocking';
export const NS_BLOCKING_ERRORS = 'urn:xmpp:blocking:errors';
/** XEP-0377 0.3 and later: <report reason='urn:xmpp:reporting:…'>, with <text/> and <stanza-id/>. */
export const NS_REPORTING = 'urn:xmpp:reporting:1';
/** XEP-0377 0.2: <report><spam/></report>, still sent by older clients (accepted, not advertised). */
export const NS_REPORTING_LEGACY = 'urn:xmpp:reporting:0';

/** The account whose blocklist a request is about; only the account's own clients may use it. */
export function ownAccount(request: IqRequest): string {
  if (!request.origin || !request.from.bare.equals(request.to.bare)) {
    throw new StanzaError('forbidden', 'only the account itself may read or change its blocklist');
  }
  return request.to.toBareString();
}
