// XEP-0115 for test clients: compute a verification string's hash independently of the server,
// announce it in presence, and answer the server's disco#info query for it.
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';

export interface ClientIdentity {
  category: string;
  type: string;
  name?: string;
}

const NODE = 'https://herald.test/client';

/** XEP-0115 §5.1 for identities and features only (no forms), sha-1. */
export function capsVer(identities: ClientIdentity[], features: string[]): string {
  const ids = identities.map((i) => `${i.category}/${i.type}//${i.name ?? ''}`).sort();
  const text = `${ids.map((i) => `${i}<`).join('')}${[...features].sort().map((f) => `${f}<`).join('')}`;
  return createHash('sha1').update(text, 'utf8').digest('base64');
}

/** The presence element announcing these caps. */
export function capsPresence(identities: ClientIdentity[], features: string[], attrs = ''): string {
  return `<presence${attrs}><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='${NODE}' ver='${capsVer(identities, features)}'/></presence>`;
}

const isCapsQuery = (ver: string) => (el: Element) =>
  el.name === 'iq' && el.attrs.type === 'get' && el.getChild('query', 'http://jabber.org/protocol/disco#info')?.attrs.node === `${NODE}#${ver}`;

function answerQuery(client: XmlClient, query: Element, identities: ClientIdentity[], features: string[]): void {
  const ver = capsVer(identities, features);
  const ids = identities.map((i) => `<identity category='${i.category}' type='${i.type}'${i.name ? ` name='${i.name}'` : ''}/>`).join('');
  const feats = features.map((f) => `<feature var='${f}'/>`).join('');
  client.send(
    `<iq type='result' id='${query.attrs.id}' to='${query.attrs.from}'><query xmlns='http://jabber.org/protocol/disco#info' node='${NODE}#${ver}'>${ids}${feats}</query></iq>`,
  );
}

/**
 * Sends initial presence with caps and answers the server's verification query. Resolves once
 * the query was answered (the server then knows this client's features).
 */
export async function announceCaps(client: XmlClient, identities: ClientIdentity[], features: string[]): Promise<void> {
  client.send(capsPresence(identities, features));
  answerQuery(client, await client.next(isCapsQuery(capsVer(identities, features))), identities, features);
}

/**
 * Answers, from now on, every disco#info query for these caps (as a client does: servers of
 * contacts ask too), calling `asked` with who asked.
 */
export function answerCapsQueries(client: XmlClient, identities: ClientIdentity[], features: string[], asked: (from: string) => void = () => undefined): void {
  const matches = isCapsQuery(capsVer(identities, features));
  client.observe((el) => {
    if (!matches(el)) return;
    answerQuery(client, el, identities, features);
    asked(String(el.attrs.from));
  });
}
