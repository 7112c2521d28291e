// XEP-0191 helpers for raw-XML protocol tests: read the blocklist, block and unblock.
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';

export const NS_BLOCKING = 'urn:xmpp:blocking';
export const NS_BLOCKING_ERRORS = 'urn:xmpp:blocking:errors';
export const NS_REPORTING = 'urn:xmpp:reporting:1';
let counter = 0;

async function ask(client: XmlClient, type: 'get' | 'set', payload: string): Promise<Element> {
  const id = `blocking-${++counter}`;
  client.send(`<iq type='${type}' id='${id}'>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

/** §3.2: the JIDs on the list (which also makes the session "interested" in pushes). */
export async function blocklist(client: XmlClient): Promise<string[]> {
  const answer = await ask(client, 'get', `<blocklist xmlns='${NS_BLOCKING}'/>`);
  if (answer.attrs.type !== 'result') throw new Error(`blocklist request failed: ${answer.toString()}`);
  return answer.getChild('blocklist', NS_BLOCKING)!.getChildren('item').map((item) => item.attrs.jid as string);
}

/** §3.3: blocks; `items` are raw <item/> XML or JIDs. Resolves with the IQ answer. */
export function block(client: XmlClient, ...items: string[]): Promise<Element> {
  const xml = items.map((item) => (item.startsWith('<') ? item : `<item jid='${item}'/>`)).join('');
  return ask(client, 'set', `<block xmlns='${NS_BLOCKING}'>${xml}</block>`);
}

/** §3.4, or §3.5 with no JIDs. */
export function unblock(client: XmlClient, ...jids: string[]): Promise<Element> {
  return ask(client, 'set', `<unblock xmlns='${NS_BLOCKING}'>${jids.map((jid) => `<item jid='${jid}'/>`).join('')}</unblock>`);
}

/** The next block or unblock push; answered as a client must (RFC 6120 §8.2.3). */
export async function nextBlockingPush(client: XmlClient, name: 'block' | 'unblock'): Promise<string[]> {
  const push = await client.next((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild(name, NS_BLOCKING) !== undefined);
  client.send(`<iq type='result' id='${push.attrs.id}' to='${push.attrs.from}'/>`);
  return push.getChild(name, NS_BLOCKING)!.getChildren('item').map((item) => item.attrs.jid as string);
}
