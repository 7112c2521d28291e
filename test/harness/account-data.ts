// Fills an account on any server with the data XEP-0227 migrations carry, over plain XMPP: a
// roster contact with name and group (mutually subscribed), a vCard, a private XML element, a PEP
// item, and an offline message for the contact. Used to make real Prosody and ejabberd exports.
import type { Element } from '@xmpp/xml';
import { getRoster, nextPush } from './im.js';
import type { XmlClient } from './xml-client.js';

export interface Session {
  client: XmlClient;
  jid: string;
}

let counter = 0;
async function iq(s: Session, type: 'get' | 'set', payload: string, to?: string, errorsAllowed = false): Promise<Element> {
  const id = `fill-${++counter}`;
  s.client.send(`<iq type='${type}' id='${id}'${to ? ` to='${to}'` : ''}>${payload}</iq>`);
  const reply = await s.client.next((el) => el.name === 'iq' && el.attrs.id === id, 15_000);
  if (reply.attrs.type !== 'result' && !errorsAllowed) throw new Error(`${payload.slice(0, 60)}… failed: ${reply.toString()}`);
  return reply;
}

const bare = (jid: string): string => jid.split('/')[0]!;

export const FILLED = {
  contactName: 'Bobby',
  group: 'Friends',
  fullName: 'Alice Liddell',
  privateText: 'remember the tea party',
  nick: 'Ally',
  message: 'you were offline when I wrote this',
};

/** `owner` and `contact` are logged in (not yet available); `contact` goes offline at the end. */
export async function fillAccount(owner: Session, contact: Session): Promise<void> {
  const ownerBare = bare(owner.jid);
  const contactBare = bare(contact.jid);
  await getRoster(owner.client);
  await getRoster(contact.client);
  owner.client.send('<presence/>');
  contact.client.send('<presence/>');
  await iq(owner, 'set', `<query xmlns='jabber:iq:roster'><item jid='${contactBare}' name='${FILLED.contactName}'><group>${FILLED.group}</group></item></query>`);
  // Mutual subscription: each pre-approves by answering the other's request.
  owner.client.send(`<presence to='${contactBare}' type='subscribe'/>`);
  await contact.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe', 15_000);
  contact.client.send(`<presence to='${ownerBare}' type='subscribed'/>`);
  contact.client.send(`<presence to='${ownerBare}' type='subscribe'/>`);
  await owner.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe', 15_000);
  owner.client.send(`<presence to='${contactBare}' type='subscribed'/>`);
  let item = await nextPush(owner.client, contactBare);
  while (item.subscription !== 'both') item = await nextPush(owner.client, contactBare);

  await iq(owner, 'set', `<vCard xmlns='vcard-temp'><FN>${FILLED.fullName}</FN></vCard>`);
  await iq(owner, 'set', `<query xmlns='jabber:iq:private'><notes xmlns='urn:example:notes'>${FILLED.privateText}</notes></query>`);
  await iq(
    owner,
    'set',
    `<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='http://jabber.org/protocol/nick'><item id='current'><nick xmlns='http://jabber.org/protocol/nick'>${FILLED.nick}</nick></item></publish></pubsub>`,
  );
  contact.client.send('<presence type="unavailable"/>');
  // Once the owner sees it, the contact has no available resource: the message is kept offline.
  await owner.client.next((el) => el.name === 'presence' && el.attrs.type === 'unavailable' && bare(el.attrs.from ?? '') === contactBare, 15_000);
  contact.client.destroy();
  // Sent once the contact is gone: kept as an offline message.
  owner.client.send(`<message to='${contactBare}' type='chat' id='offline-1'><body>${FILLED.message}</body></message>`);
  // A round trip so the server has stored it before anyone exports.
  await iq(owner, 'get', `<query xmlns='jabber:iq:roster'/>`);
}

export interface AccountView {
  roster: Array<Record<string, string> & { groups?: string }>;
  fullName: string | null;
  privateText: string | null;
  /** null when the node is missing (an export without PEP). */
  nick: string | null;
}

/** What `owner`'s own server now says about the data fillAccount() put there (read over XMPP). */
export async function readAccount(owner: Session): Promise<AccountView> {
  const roster = await iq(owner, 'get', "<query xmlns='jabber:iq:roster'/>");
  const items = roster.getChild('query', 'jabber:iq:roster')?.getChildren('item') ?? [];
  const vcard = await iq(owner, 'get', "<vCard xmlns='vcard-temp'/>");
  const priv = await iq(owner, 'get', "<query xmlns='jabber:iq:private'><notes xmlns='urn:example:notes'/></query>");
  const nick = await iq(owner, 'get', "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='http://jabber.org/protocol/nick'/></pubsub>", bare(owner.jid), true);
  return {
    roster: items.map((i) => ({ ...(i.attrs as Record<string, string>), groups: i.getChildren('group').map((g) => g.getText()).join(',') })),
    fullName: vcard.getChild('vCard', 'vcard-temp')?.getChildText('FN') ?? null,
    privateText: priv.getChild('query', 'jabber:iq:private')?.getChild('notes', 'urn:example:notes')?.getText() ?? null,
    nick:
      nick
        .getChild('pubsub', 'http://jabber.org/protocol/pubsub')
        ?.getChild('items')
        ?.getChild('item')
        ?.getChild('nick', 'http://jabber.org/protocol/nick')
        ?.getText() ?? null,
  };
}
