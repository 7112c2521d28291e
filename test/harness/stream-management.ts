// XEP-0198 from the client's side for protocol tests: enable, and a client that answers the
// server's <r/> with the count of stanzas it has received (as a real client would).
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';

export const NS_SM = 'urn:xmpp:sm:3';

const isStanza = (el: Element): boolean => el.name === 'message' || el.name === 'presence' || el.name === 'iq';

/** Enables stream management; resolves with <enabled/>. */
export async function enableSm(client: XmlClient, resume = false): Promise<Element> {
  client.send(`<enable xmlns='${NS_SM}'${resume ? " resume='true'" : ''}/>`);
  return client.next('enabled');
}

/** Stanzas received since `<enabled/>` (or since the start, when there was none): the client's `h`. */
export function handledCount(client: XmlClient): number {
  const start = client.received.findIndex((el) => el.name === 'enabled' || el.name === 'resumed');
  return client.received.slice(start + 1).filter(isStanza).length;
}

/** From now on, every <r/> the server sends is answered with <a h/>. */
export function answerAckRequests(client: XmlClient): void {
  client.observe((el) => {
    if (el.name === 'r' && el.attrs.xmlns === NS_SM) client.send(`<a xmlns='${NS_SM}' h='${handledCount(client)}'/>`);
  });
}
