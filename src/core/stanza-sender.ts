import type { Element } from '../xml/element.js';
import { errorReply, type StanzaError } from '../protocol/stanza-error.js';

/** What the core needs to answer a stanza: route a new one. */
export interface StanzaSink {
  route(stanza: Element): Promise<void>;
}

/** Sends the error reply for a stanza, unless RFC 6120 §8.3.1 forbids answering it. */
export async function bounce(sink: StanzaSink, stanza: Element, error: StanzaError): Promise<void> {
  const reply = errorReply(stanza, error);
  if (reply) await sink.route(reply);
}
