// xmpp.js (@xmpp/client) as an independent client in protocol tests: log in and wait for stanzas.
import { client, xml, type XmppClient } from '@xmpp/client';
import type { Element } from 'ltx';

// Herald's generated certificate is self-signed; xmpp.js is told not to verify it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

/** How long xmpp.js waits for the server's stream header and similar answers. */
export const XMPPJS_TIMEOUT_MS = 15_000;

export async function xmppJs(service: string, username: string, password: string, resource: string, setup?: (xmpp: XmppClient) => void, userAgentId?: string): Promise<XmppClient> {
  const userAgent = userAgentId === undefined ? {} : { userAgent: xml('user-agent', { id: userAgentId }) };
  // xmpp.js waits 2 s by default for each stream header; CI runs three suites at once on two cores.
  const xmpp = client({ service, domain: 'localhost', resource, username, password, timeout: XMPPJS_TIMEOUT_MS, ...userAgent });
  xmpp.on('error', () => undefined);
  setup?.(xmpp);
  // xmpp.js's start() listens for the stream header only after its own write completes; over
  // direct TLS the answer can come first. With SASL1 a later stream restart hid that; SASL2 has
  // none, so start() would time out on a session that is in fact online. Being online is what counts.
  const online = new Promise<void>((resolve) => xmpp.on('online', () => resolve()));
  const started = xmpp.start();
  started.catch(() => undefined);
  await Promise.race([online, started]);
  return xmpp;
}

/** The next stanza that `match` accepts. */
export function waitFor(xmpp: XmppClient, match: (stanza: Element) => boolean): Promise<Element> {
  return new Promise((resolve) => xmpp.on('stanza', (stanza) => match(stanza) && resolve(stanza)));
}
