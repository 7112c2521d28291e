// XEP-0045 occupants against a real Herald process: which roles' presence a room broadcasts
// (§10.2 muc#roomconfig_presencebroadcast), IQs to occupants (§7.2 "IQ to an occupant"), and one
// user in a room from several clients under one nick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';
import { createRoom, freshRoom, groupchat, iq, join, NS_MUC_OWNER, serverWithUsers, statusCodes, stopAll } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient, bob: XmlClient, carol: XmlClient;

beforeAll(async () => {
  const started = await serverWithUsers(['alice', 'bob', 'carol']);
  server = started.server;
  [alice, bob, carol] = started.clients as [XmlClient, XmlClient, XmlClient];
}, 120_000);

afterAll(async () => {
  await stopAll(server, [alice, bob, carol]);
});

const presencesFrom = (client: XmlClient, occupantJid: string): Element[] =>
  (client as unknown as { received: Element[] }).received.filter((e) => e.name === 'presence' && e.attrs.from === occupantJid);

describe('XEP-0045 §10.2 muc#roomconfig_presencebroadcast', () => {
  it('XEP-0045 §10.2: the owner sees the field with every role broadcast by default', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    const form = await iq(alice, 'get', room, `<query xmlns='${NS_MUC_OWNER}'/>`);
    const field = form.getChild('query', NS_MUC_OWNER)?.getChild('x', 'jabber:x:data')?.getChildren('field').find((f) => f.attrs.var === 'muc#roomconfig_presencebroadcast');
    expect(field?.attrs.type).toBe('list-multi');
    expect(field?.getChildren('value').map((v) => v.getText()).sort()).toEqual(['moderator', 'participant', 'visitor']);
  });

  it('XEP-0045 §10.2: with only moderators broadcast, participants get the moderators\' presence and their own, nobody gets a participant\'s', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_presencebroadcast': ['moderator'] });
    bob.send(`<presence to='${room}/Bob'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const toBob = await bob.next((e) => e.name === 'presence' && String(e.attrs.from).startsWith(`${room}/`));
    expect(toBob.attrs.from).toBe(`${room}/Alice`);
    expect(statusCodes(await bob.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob`))).toContain('110');
    expect(statusCodes(await join(carol, room, 'Carol'))).toContain('110');
    // A status change and a message: the message is the barrier after which any presence would be in.
    bob.send(`<presence to='${room}/Bob'><show>away</show></presence>`);
    await bob.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob` && e.getChildText('show') === 'away');
    bob.send(`<message type='groupchat' to='${room}' id='pb1'><body>after the presences</body></message>`);
    await groupchat(alice, room, 'after the presences');
    await groupchat(carol, room, 'after the presences');
    expect(presencesFrom(alice, `${room}/Bob`)).toEqual([]);
    expect(presencesFrom(alice, `${room}/Carol`)).toEqual([]);
    expect(presencesFrom(carol, `${room}/Bob`)).toEqual([]);
    expect(presencesFrom(carol, `${room}/Alice`).length).toBe(1);
    // Leaving: only the occupant itself hears of it.
    bob.send(`<presence to='${room}/Bob' type='unavailable'/>`);
    await bob.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob` && e.attrs.type === 'unavailable');
    carol.send(`<message type='groupchat' to='${room}' id='pb2'><body>bob has gone</body></message>`);
    await groupchat(alice, room, 'bob has gone');
    expect(presencesFrom(alice, `${room}/Bob`)).toEqual([]);
  });

  it('XEP-0045 §10.2 with §8.4: an occupant moved to a role the room does not broadcast goes unavailable for the others, and comes back when moved out of it', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_presencebroadcast': ['moderator', 'participant'] });
    expect(statusCodes(await join(bob, room, 'Bob'))).toContain('110');
    expect(statusCodes(await join(carol, room, 'Carol'))).toContain('110');
    const roleOf = (e: Element) => e.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item')?.attrs.role;
    const seenByCarol = () => presencesFrom(carol, `${room}/Bob`).map((e) => `${e.attrs.type ?? 'available'} ${roleOf(e)}`);
    // A groupchat message from Alice is the barrier: presences sent before it are in by then.
    const barrier = async (text: string) => {
      alice.send(`<message type='groupchat' to='${room}'><body>${text}</body></message>`);
      await groupchat(carol, room, text);
    };
    await barrier('everyone is in');
    const before = seenByCarol().length;
    // §8.4: a moderator revokes Bob's voice; this room does not broadcast visitors.
    await iq(alice, 'set', room, `<query xmlns='http://jabber.org/protocol/muc#admin'><item nick='Bob' role='visitor'/></query>`);
    await bob.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob` && roleOf(e) === 'visitor');
    await barrier('bob is a visitor');
    expect(seenByCarol().slice(before)).toEqual(['unavailable none']);
    expect(presencesFrom(alice, `${room}/Bob`).at(-1)?.attrs.type).toBe('unavailable');
    // §8.3: voice granted again; the others see Bob once more.
    await iq(alice, 'set', room, `<query xmlns='http://jabber.org/protocol/muc#admin'><item nick='Bob' role='participant'/></query>`);
    await barrier('bob has a voice');
    expect(seenByCarol().slice(before)).toEqual(['unavailable none', 'available participant']);
  });

  it('XEP-0045 §10.2: a value that is not a role is refused with bad-request', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    const answer = await iq(
      alice,
      'set',
      room,
      `<query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var='muc#roomconfig_presencebroadcast'><value>owner</value></field></x></query>`,
    );
    expect(answer.attrs.type).toBe('error');
    expect(answer.getChild('error')?.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toContain('muc#roomconfig_presencebroadcast');
  });
});

describe('XEP-0045 IQs to an occupant JID (passed on as Prosody and ejabberd do)', () => {
  it('XEP-0045/XEP-0199: a ping to another occupant reaches its real JID from the sender\'s occupant JID, and the answer comes back from the target\'s', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    bob.send(`<iq type='get' id='bob-ping-1' to='${room}/Alice'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const forwarded = await alice.next((e) => e.name === 'iq' && e.attrs.type === 'get' && e.getChild('ping', 'urn:xmpp:ping') !== undefined);
    expect(forwarded.attrs.from).toBe(`${room}/Bob`);
    expect(forwarded.attrs.to).toBe('alice@localhost/desk');
    // The id is the room's own: Bob's is not shown to Alice.
    expect(forwarded.attrs.id).not.toBe('bob-ping-1');
    alice.send(`<iq type='result' id='${forwarded.attrs.id}' to='${room}/Bob'/>`);
    const answer = await bob.next((e) => e.name === 'iq' && e.attrs.id === 'bob-ping-1');
    expect(answer.attrs).toMatchObject({ type: 'result', from: `${room}/Alice`, to: 'bob@localhost/desk' });
    // An error answer travels the same way.
    bob.send(`<iq type='get' id='bob-version' to='${room}/Alice'><query xmlns='jabber:iq:version'/></iq>`);
    const second = await alice.next((e) => e.name === 'iq' && e.attrs.type === 'get' && e.getChild('query', 'jabber:iq:version') !== undefined);
    alice.send(`<iq type='error' id='${second.attrs.id}' to='${room}/Bob'><query xmlns='jabber:iq:version'/><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    const refused = await bob.next((e) => e.name === 'iq' && e.attrs.id === 'bob-version');
    expect(refused.attrs).toMatchObject({ type: 'error', from: `${room}/Alice` });
    expect(refused.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
  });

  it('XEP-0045/XEP-0054: a vCard request to an occupant is answered by the account (its bare JID), back from the occupant JID', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const stored = await iq(alice, 'set', 'alice@localhost', "<vCard xmlns='vcard-temp'><FN>Alice Liddell</FN></vCard>");
    expect(stored.attrs.type).toBe('result');
    const answer = await iq(bob, 'get', `${room}/Alice`, "<vCard xmlns='vcard-temp'/>");
    expect(answer.attrs).toMatchObject({ type: 'result', from: `${room}/Alice` });
    expect(answer.getChild('vCard', 'vcard-temp')?.getChildText('FN')).toBe('Alice Liddell');
  });

  it('XEP-0045: an IQ to an unknown nick is item-not-found; from someone not in the room, not-acceptable; a made-up answer goes nowhere', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const unknown = await iq(bob, 'get', `${room}/Nobody`, "<ping xmlns='urn:xmpp:ping'/>");
    expect(unknown.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    const outsider = await iq(carol, 'get', `${room}/Alice`, "<ping xmlns='urn:xmpp:ping'/>");
    expect(outsider.getChild('error')?.getChild('not-acceptable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    carol.send(`<iq type='result' id='forged.abc' to='${room}/Bob'/>`);
    bob.send(`<message type='groupchat' to='${room}' id='iq-barrier'><body>barrier after the forged answer</body></message>`);
    await groupchat(bob, room, 'barrier after the forged answer');
    expect((bob as unknown as { received: Element[] }).received.filter((e) => e.name === 'iq' && e.attrs.id === 'forged.abc')).toEqual([]);
  });
});

describe('XEP-0359 / XEP-0313 and groupchat', () => {
  it('XEP-0359 §3 / XEP-0313 §5.1.2: a groupchat message carries the room\'s stanza-id only, none by the receiving account (whose archive does not store it)', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    bob.send(`<message type='groupchat' to='${room}' id='sid1'><body>whose archive?</body></message>`);
    const received = await groupchat(alice, room, 'whose archive?');
    const ids = received.getChildren('stanza-id', 'urn:xmpp:sid:0').map((e) => e.attrs.by);
    expect(ids).toEqual([room]);
    const reflected = await groupchat(bob, room, 'whose archive?');
    expect(reflected.getChildren('stanza-id', 'urn:xmpp:sid:0').map((e) => e.attrs.by)).toEqual([room]);
  });
});

/** A room of Alice's (configured with `fields`) where Bob is in as 'Bob' from his client and then from his phone; the phone's client. */
async function bobFromTwoClients(room: string, fields: Record<string, string>): Promise<XmlClient> {
  await createRoom(alice, room, 'Alice', fields);
  await join(bob, room, 'Bob');
  const phone = (await login(server.ports.c2s, 'bob', 'pw', 'phone')).client;
  const second = await join(phone, room, 'Bob');
  expect(second.attrs.type).toBeUndefined();
  expect(statusCodes(second)).toContain('110');
  return phone;
}

describe('XEP-0045 §7.2.9 one user, several clients, one nick', () => {
  it('XEP-0045 §7.2.9: the same bare JID entering under its nick from a second client shares the nick; another user still gets 409', async () => {
    const room = freshRoom();
    const phone = await bobFromTwoClients(room, {});
    try {
      const taken = await join(carol, room, 'Bob');
      expect(taken.attrs.type).toBe('error');
      expect(taken.getChild('error')?.getChild('conflict', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
      // Groupchat and private messages reach both clients.
      alice.send(`<message type='groupchat' to='${room}' id='ms1'><body>to both of you</body></message>`);
      await groupchat(bob, room, 'to both of you');
      await groupchat(phone, room, 'to both of you');
      alice.send(`<message type='chat' to='${room}/Bob' id='ms2'><body>private to Bob</body></message>`);
      for (const client of [bob, phone]) {
        const pm = await client.next((e) => e.name === 'message' && e.getChildText('body') === 'private to Bob');
        expect(pm.attrs.from).toBe(`${room}/Alice`);
      }
      // One client leaving: it hears of it, the room does not (Bob is still there).
      phone.send(`<presence to='${room}/Bob' type='unavailable'/>`);
      const gone = await phone.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob` && e.attrs.type === 'unavailable');
      expect(statusCodes(gone)).toContain('110');
      bob.send(`<message type='groupchat' to='${room}' id='ms3'><body>still here</body></message>`);
      await groupchat(alice, room, 'still here');
      expect(presencesFrom(alice, `${room}/Bob`).filter((p) => p.attrs.type === 'unavailable')).toEqual([]);
    } finally {
      phone.destroy();
    }
  });

  it('XEP-0045 §7.2.9 with §7.2.10: a second client of an occupant enters a full room (it takes no new seat); another user gets service-unavailable', async () => {
    const room = freshRoom();
    // Two seats: Alice's and Bob's; Bob's phone must not need a third.
    const phone = await bobFromTwoClients(room, { 'muc#roomconfig_maxusers': '2' });
    try {
      const refused = await join(carol, room, 'Carol');
      expect(refused.attrs.type).toBe('error');
      expect(refused.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    } finally {
      phone.destroy();
    }
  });
});

describe('XEP-0486 room avatars', () => {
  // A 1×1 PNG; its SHA-1 is what clients compare.
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

  it('XEP-0486: owners set the room vCard, anyone gets it, disco#info carries muc#roominfo_avatarhash, occupants hear of the change; others are forbidden', async () => {
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha1').update(Buffer.from(PNG, 'base64')).digest('hex');
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const vcard = `<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>${PNG}</BINVAL></PHOTO></vCard>`;
    const refused = await iq(bob, 'set', room, vcard);
    expect(refused.getChild('error')?.getChild('forbidden', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    expect((await iq(alice, 'set', room, vcard)).attrs.type).toBe('result');
    const update = await bob.next((e) => e.name === 'presence' && e.attrs.from === room);
    expect(update.getChild('x', 'vcard-temp:x:update')?.getChildText('photo')).toBe(hash);
    // Anyone, in the room or not.
    const got = await iq(carol, 'get', room, "<vCard xmlns='vcard-temp'/>");
    expect(got.getChild('vCard', 'vcard-temp')?.getChild('PHOTO')?.getChildText('BINVAL')).toBe(PNG);
    const info = await iq(carol, 'get', room, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    const query = info.getChild('query', 'http://jabber.org/protocol/disco#info')!;
    expect(query.getChildren('feature').map((f) => f.attrs.var)).toContain('vcard-temp');
    const field = query.getChild('x', 'jabber:x:data')?.getChildren('field').find((f) => f.attrs.var === 'muc#roominfo_avatarhash');
    expect(field?.getChildText('value')).toBe(hash);
  });
});

describe('XEP-0045 §7.10 registering with a room', () => {
  const form = (nick: string) =>
    `<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#register</value></field><field var='muc#register_roomnick'><value>${nick}</value></field></x></query>`;
  const condition = (e: Element) => e.getChild('error')?.getChildElements().find((c) => c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && c.name !== 'text')?.name;

  it('XEP-0045 §7.10: the form, registering a nick makes a member, the nick is then reserved against others (§7.2.9) and found on x-roomuser-item (§7.11)', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    const asked = await iq(bob, 'get', room, "<query xmlns='jabber:iq:register'/>");
    const fields = asked.getChild('query', 'jabber:iq:register')?.getChild('x', 'jabber:x:data')?.getChildren('field').map((f) => f.attrs.var);
    expect(fields).toEqual(expect.arrayContaining(['FORM_TYPE', 'muc#register_roomnick']));
    expect((await iq(bob, 'set', room, form('Bobby'))).attrs.type).toBe('result');
    const members = await iq(alice, 'get', room, "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query>");
    const item = members.getChild('query', 'http://jabber.org/protocol/muc#admin')?.getChild('item');
    expect(item?.attrs).toMatchObject({ jid: 'bob@localhost', nick: 'Bobby', affiliation: 'member' });
    const again = await iq(bob, 'get', room, "<query xmlns='jabber:iq:register'/>");
    expect(again.getChild('query', 'jabber:iq:register')?.getChild('registered')).toBeDefined();
    expect(again.getChild('query', 'jabber:iq:register')?.getChildText('username')).toBe('Bobby');
    const reserved = await iq(bob, 'get', room, "<query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/>");
    expect(reserved.getChild('query', 'http://jabber.org/protocol/disco#info')?.getChild('identity')?.attrs.name).toBe('Bobby');
    // Reserved: another user may neither register it nor enter with it.
    expect(condition(await iq(carol, 'set', room, form('Bobby')))).toBe('conflict');
    const taken = await join(carol, room, 'Bobby');
    expect(condition(taken)).toBe('conflict');
    expect(statusCodes(await join(bob, room, 'Bobby'))).toContain('110');
  });

  it('XEP-0045 §7.10: a members-only room registers members only (registration-required); an empty nick is not-acceptable', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_membersonly': '1' });
    expect(condition(await iq(carol, 'set', room, form('Carol')))).toBe('registration-required');
    expect(condition(await iq(alice, 'set', room, form('')))).toBe('not-acceptable');
    // The owner reserves a nick and stays owner.
    expect((await iq(alice, 'set', room, form('TheOwner'))).attrs.type).toBe('result');
    const owners = await iq(alice, 'get', room, "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='owner'/></query>");
    expect(owners.getChild('query', 'http://jabber.org/protocol/muc#admin')?.getChild('item')?.attrs).toMatchObject({ jid: 'alice@localhost', nick: 'TheOwner' });
  });
});
