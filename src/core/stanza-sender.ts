import type { Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import { errorReply, type StanzaError } from '../protocol/stanza-error.js';

/** What the core needs to answer a stanza: route a new one. */
export interface StanzaSink {
  route(stanza: Element): Promise<void>;
}

/**
 * Sends the error reply for a stanza, unless RFC 6120 §8.3.1 forbids answering it. `answeredBy`
 * is the address the stanza was handled for: a stanza sent without 'to' (RFC 6120 §10.3) is
 * answered from the account's bare JID, since the reply must carry a routable 'from'.
 */
export async function bounce(sink: StanzaSink, stanza: Element, error: StanzaError, answeredBy?: Jid): Promise<void> {
  const reply = errorReply(stanza, error);
  if (!reply) return;
  if (reply.attrs.from === undefined && answeredBy) reply.attrs.from = answeredBy.toString();
  await sink.route(reply);
}
