// XEP-0045 §6 service and room discovery, and rooms across a restart of the server process:
// persistent rooms keep configuration, affiliations, subject and history; temporary rooms and
// stale occupants are gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';
import { createRoom, errorCondition, freshRoom, groupchat, iq, join, NS_MUC_ADMIN, presenceFrom, SERVICE } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient;
let bob: XmlClient;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  await server.addUser('bob@localhost', 'pw');
  alice = (await login(server.ports.c2s, 'alice', 'pw', 'desk')).client;
  bob = (await login(server.ports.c2s, 'bob', 'pw', 'desk')).client;
}, 120_000);

afterAll(async () => {
  alice?.destroy();
  bob?.destroy();
  await server?.stop();
  server?.cleanup();
});

const discoInfo = async (client: XmlClient, to: string): Promise<Element> => (await iq(client, 'get', to, "<query xmlns='http://jabber.org/protocol/disco#info'/>")).getChild('query')!;
const features = (query: Element): string[] => query.getChildren('feature').map((f) => f.attrs.var as string);
const formValues = (query: Element): Record<string, string> =>
  Object.fromEntries(query.getChild('x', 'jabber:x:data')!.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value') ?? '']));

describe('XEP-0045 discovery', () => {
  it('XEP-0045 §6.1/§6.2: the server lists the service in disco#items; the service is a text conference speaking muc', async () => {
    const items = (await iq(alice, 'get', 'localhost', "<query xmlns='http://jabber.org/protocol/disco#items'/>")).getChild('query')!;
    expect(items.getChildren('item').map((i) => i.attrs.jid)).toContain(SERVICE);
    const info = await discoInfo(alice, SERVICE);
    expect(info.getChild('identity')!.attrs).toMatchObject({ category: 'conference', type: 'text' });
    expect(features(info)).toContain('http://jabber.org/protocol/muc');
  });

  it('XEP-0045 §6.3: the service lists public configured rooms, not hidden or still-locked ones', async () => {
    const open = freshRoom('open');
    const hidden = freshRoom('hidden');
    const locked = freshRoom('locked');
    await createRoom(alice, open, 'Alice', { 'muc#roomconfig_roomname': 'The Open Room' });
    await createRoom(alice, hidden, 'Alice', { 'muc#roomconfig_publicroom': '0' });
    await join(alice, locked, 'Alice');
    const items = (await iq(bob, 'get', SERVICE, "<query xmlns='http://jabber.org/protocol/disco#items'/>")).getChild('query')!.getChildren('item');
    expect(items.find((i) => i.attrs.jid === open)?.attrs.name).toBe('The Open Room');
    expect(items.map((i) => i.attrs.jid)).not.toContain(hidden);
    expect(items.map((i) => i.attrs.jid)).not.toContain(locked);
  });

  it('XEP-0045 §6.4: a room\'s disco#info names its features and carries the muc#roominfo form (XEP-0128)', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', {
      'muc#roomconfig_roomdesc': 'Where plans are made',
      'muc#roomconfig_membersonly': '1',
      'muc#roomconfig_whois': 'anyone',
      'muc#roomconfig_persistentroom': '1',
      'muc#roomconfig_publicroom': '0',
    });
    alice.send(`<message type='groupchat' to='${room}'><subject>Friday</subject></message>`);
    await alice.next((e) => e.name === 'message' && e.getChildText('subject') === 'Friday');
    const info = await discoInfo(bob, room);
    expect(features(info)).toEqual(expect.arrayContaining([
      'http://jabber.org/protocol/muc', 'muc_membersonly', 'muc_nonanonymous', 'muc_persistent', 'muc_hidden', 'muc_unmoderated', 'muc_unsecured',
      'urn:xmpp:mam:2', 'urn:xmpp:occupant-id:0', 'http://jabber.org/protocol/muc#stable_id',
    ]));
    expect(formValues(info)).toMatchObject({
      FORM_TYPE: 'http://jabber.org/protocol/muc#roominfo',
      'muc#roominfo_description': 'Where plans are made',
      'muc#roominfo_occupants': '1',
      'muc#roominfo_subject': 'Friday',
    });
  });
});

describe('XEP-0045 rooms across a restart', () => {
  it('XEP-0045 §10.2 muc#roomconfig_persistentroom: a persistent room survives a restart with its configuration, members, subject and history; a temporary room does not', async () => {
    const kept = freshRoom('kept');
    const temporary = freshRoom('temporary');
    await createRoom(alice, kept, 'Alice', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_roomname': 'Kept', 'muc#roomconfig_membersonly': '1' });
    await iq(alice, 'set', kept, `<query xmlns='${NS_MUC_ADMIN}'><item affiliation='member' jid='bob@localhost'/></query>`);
    await join(bob, kept, 'Bob');
    alice.send(`<message type='groupchat' to='${kept}'><subject>Still here</subject></message>`);
    alice.send(`<message type='groupchat' to='${kept}'><body>before the restart</body></message>`);
    await groupchat(bob, kept, 'before the restart');
    await createRoom(alice, temporary, 'Alice');

    alice.destroy();
    bob.destroy();
    expect(await server.stop()).toBe(0);
    server = await server.restart();
    alice = (await login(server.ports.c2s, 'alice', 'pw', 'desk')).client;
    bob = (await login(server.ports.c2s, 'bob', 'pw', 'desk')).client;

    expect(formValues(await discoInfo(bob, kept))).toMatchObject({ 'muc#roomconfig_roomname': 'Kept', 'muc#roominfo_occupants': '0', 'muc#roominfo_subject': 'Still here' });
    expect(errorCondition(await iq(bob, 'get', temporary, "<query xmlns='http://jabber.org/protocol/disco#info'/>"))).toBe('item-not-found');
    // Bob is still a member of the members-only room; nobody from before is shown as present.
    bob.send(`<presence to='${kept}/Bob'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const first = await bob.next((e) => e.name === 'presence');
    expect(first.attrs.from).toBe(`${kept}/Bob`);
    const history = await bob.next((e) => e.name === 'message' && e.getChild('body') !== undefined);
    expect(history.getChildText('body')).toBe('before the restart');
    expect(history.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
    const subject = await bob.next((e) => e.name === 'message' && e.getChild('subject') !== undefined);
    expect(subject.getChildText('subject')).toBe('Still here');
    // The owner's affiliation survived too: she may configure, and her entry is seen by Bob.
    await join(alice, kept, 'Alice');
    await presenceFrom(bob, kept, 'Alice');
  }, 60_000);
});
