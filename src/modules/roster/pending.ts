// Inbound subscription requests awaiting the user's answer (RFC 6121 §3.1.3): what is kept of
// one, the refusal when an account holds too many, and their replay at initial presence.
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { pendingRequest } from '../../storage/pending-requests.js';
import type { PendingLimits, PendingRequest } from '../../storage/types.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';

/** Who asked, the <status/> and the XEP-0172 nick (both trimmed); the rest of the stanza is dropped. */
export function requestToKeep(stanza: Element, contact: Jid): PendingRequest {
  return pendingRequest(contact.toBareString(), stanza.getChild('status')?.getText(), stanza.getChild('nick', NS.nick)?.getText());
}

/** The request as a client sees it, rebuilt from what was kept. */
export function requestStanza(request: PendingRequest, account: string): Element {
  return xml(
    'presence',
    { type: 'subscribe', from: request.jid, to: account },
    request.status === undefined ? null : xml('status', null, request.status),
    request.nick === undefined ? null : xml('nick', { xmlns: NS.nick }, request.nick),
  );
}

/**
 * The answer to a request that would exceed the account's limits. `wait`: the user answering
 * requests makes room, so the contact may ask again later.
 */
export function tooManyRequests(account: Jid, limits: PendingLimits): StanzaError {
  return new StanzaError(
    'resource-constraint',
    `${account.toBareString()} already has ${limits.maxCount} subscription requests (or ${limits.maxBytes} bytes of them) ` +
      'awaiting an answer; ask again once the user has answered some',
  );
}

/**
 * §3.1.3: the requests still unanswered reach a resource when it becomes available, one at a
 * time as its connection drains (they are bounded, but a slow client must not be flooded).
 */
export async function replayPending(ctx: ModuleContext, session: LocalSession): Promise<void> {
  const account = session.jid.toBareString();
  const ref = session.ref();
  for (const request of await ctx.storage.roster.pendingIn(account)) {
    if (!(await session.whenWritable())) return; // the session ended; it will get them next time
    await ctx.delivery.toSession(ref, requestStanza(request, account));
  }
}
