// Instant-messaging helpers for raw-XML protocol tests: roster requests, pushes, presence.
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';
import { login } from './login.js';

export const NS_ROSTER = 'jabber:iq:roster';
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

/** Requests the roster (which also makes the session "interested" in pushes); returns the result. */
export async function getRoster(client: XmlClient, ver?: string): Promise<Element> {
  const id = nextId('roster');
  client.send(`<iq type='get' id='${id}'><query xmlns='${NS_ROSTER}'${ver === undefined ? '' : ` ver='${ver}'`}/></iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

export function rosterItems(iq: Element): Array<Record<string, string>> {
  return iq.getChild('query', NS_ROSTER)?.getChildren('item').map((item) => item.attrs as Record<string, string>) ?? [];
}

/** Waits for the next roster push about `contact`, answers it (RFC 6121 §2.1.6) and returns the item. */
export async function nextPush(client: XmlClient, contact: string): Promise<Record<string, string>> {
  const push = await client.next(
    (el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER)?.getChild('item')?.attrs.jid === contact,
  );
  client.send(`<iq type='result' id='${push.attrs.id}'/>`);
  return push.getChild('query', NS_ROSTER)!.getChild('item')!.attrs as Record<string, string>;
}

export function nextPresence(client: XmlClient, from: string | RegExp, type?: string): Promise<Element> {
  return client.next(
    (el) =>
      el.name === 'presence' &&
      (typeof from === 'string' ? el.attrs.from === from : from.test(el.attrs.from ?? '')) &&
      (el.attrs.type ?? 'available') === (type ?? 'available'),
  );
}

export function nextMessage(client: XmlClient, match: (el: Element) => boolean = () => true): Promise<Element> {
  return client.next((el) => el.name === 'message' && match(el));
}

/** Asserts nothing matching arrives before a marker round trip (a ping to the server) completes. */
export async function nothingBefore(client: XmlClient, match: (el: Element) => boolean): Promise<boolean> {
  const id = nextId('marker');
  client.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await client.next((el) => el.attrs.id === id);
  return !client.inbox.some(match);
}

/**
 * Per-sender FIFO order makes a barrier: `sender` sends a marker message to `receiverJid` (a full
 * JID); once it arrives, anything `sender` sent before it that was going to arrive has arrived.
 */
export async function barrier(sender: XmlClient, receiver: XmlClient, receiverJid: string, timeoutMs?: number): Promise<void> {
  const id = nextId('barrier');
  sender.send(`<message to='${receiverJid}' id='${id}'><body>barrier</body></message>`);
  await receiver.next((el) => el.name === 'message' && el.attrs.id === id, timeoutMs);
}

/**
 * Makes `viewer` subscribed to `owner`'s presence (the owner's roster then has the viewer with
 * subscription 'from'), optionally in the owner's roster groups: the owner pre-approves, the
 * viewer subscribes. Both log in once for it.
 */
export async function letSeePresence(port: number, owner: string, viewer: string, password: string, groups: string[] = []): Promise<void> {
  const o = await login(port, owner, password, 'setup');
  const v = await login(port, viewer, password, 'setup');
  await getRoster(v.client);
  if (groups.length > 0) {
    const groupXml = groups.map((g) => `<group>${g}</group>`).join('');
    const id = nextId('roster-set');
    o.client.send(`<iq type='set' id='${id}'><query xmlns='${NS_ROSTER}'><item jid='${viewer}@localhost'>${groupXml}</item></query></iq>`);
    const set = await o.client.next((el) => el.name === 'iq' && el.attrs.id === id);
    if (set.attrs.type !== 'result') throw new Error(`roster set failed: ${set.toString()}`);
  }
  o.client.send(`<presence to='${viewer}@localhost' type='subscribed'/>`);
  await barrier(o.client, v.client, v.jid);
  v.client.send(`<presence to='${owner}@localhost' type='subscribe'/>`);
  await v.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribed' && el.attrs.from === `${owner}@localhost`);
  o.client.destroy();
  v.client.destroy();
}
