// XEP-0045 scenarios shared by the MUC interop tests: a user on one server joins a room on another
// server's MUC service over s2s and talks there. The scenarios only speak XMPP to the clients.
import type { Element } from '@xmpp/xml';
import { expect } from 'vitest';
import type { Session } from './federation-scenarios.js';

export const MUC_USER = 'http://jabber.org/protocol/muc#user';

export const statusCodes = (presence: Element): string[] => (presence.getChild('x', MUC_USER)?.getChildren('status') ?? []).map((s) => s.attrs.code);
const occupantPresence = (from: string) => (el: Element) => el.name === 'presence' && el.attrs.from === from && el.attrs.type === undefined;
const groupchat = (from: string, body: string) => (el: Element) => el.name === 'message' && el.attrs.type === 'groupchat' && el.attrs.from === from && el.getChildText('body') === body;

/** XEP-0045 §7.2: joins `room` as `nick` and resolves with the self-presence (status 110). */
export async function joinRoom(session: Session, room: string, nick: string, timeoutMs: number): Promise<Element> {
  session.client.send(`<presence to='${room}/${nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
  return session.client.next((el) => el.name === 'presence' && el.attrs.from === `${room}/${nick}` && statusCodes(el).includes('110'), timeoutMs);
}

/**
 * `host` (a user of the room's server) creates `room`; `guest` (a user of another server) joins
 * over s2s; presence, groupchat messages (§7.4, with the reflection to the sender), a private
 * message (§7.5) and the guest's exit (§7.14) are seen on both sides.
 */
export async function chatInRemoteRoom(host: Session, guest: Session, room: string, timeoutMs: number): Promise<void> {
  const hostSelf = await joinRoom(host, room, 'Host', timeoutMs);
  expect(statusCodes(hostSelf)).toContain('201'); // the host created the room
  // §10.1.2: an instant room (a room still locked would turn the guest away).
  host.client.send(`<iq type='set' id='instant' to='${room}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`);
  expect((await host.client.next((el) => el.name === 'iq' && el.attrs.id === 'instant', timeoutMs)).attrs.type).toBe('result');

  const hostSeen = guest.client.next(occupantPresence(`${room}/Host`), timeoutMs);
  const guestSelf = await joinRoom(guest, room, 'Guest', timeoutMs);
  expect(guestSelf.getChild('x', MUC_USER)?.getChild('item')?.attrs.role).toBe('participant');
  await hostSeen; // §7.2.3: the existing occupants' presence comes first
  await host.client.next(occupantPresence(`${room}/Guest`), timeoutMs);

  host.client.send(`<message to='${room}' type='groupchat' id='g1'><body>hello from the room's server</body></message>`);
  await guest.client.next(groupchat(`${room}/Host`, "hello from the room's server"), timeoutMs);
  guest.client.send(`<message to='${room}' type='groupchat' id='g2'><body>hello from the guest's server</body></message>`);
  await host.client.next(groupchat(`${room}/Guest`, "hello from the guest's server"), timeoutMs);
  await guest.client.next(groupchat(`${room}/Guest`, "hello from the guest's server"), timeoutMs);

  guest.client.send(`<message to='${room}/Host' type='chat' id='pm1'><body>just for you</body><x xmlns='${MUC_USER}'/></message>`);
  const pm = await host.client.next((el) => el.name === 'message' && el.getChildText('body') === 'just for you', timeoutMs);
  expect(pm.attrs.from).toBe(`${room}/Guest`);

  guest.client.send(`<presence to='${room}/Guest' type='unavailable'/>`);
  await host.client.next((el) => el.name === 'presence' && el.attrs.from === `${room}/Guest` && el.attrs.type === 'unavailable', timeoutMs);
}
