// XEP-0045 against a real Herald process: creating and entering rooms (§7.1–§7.2, §10.1),
// messages (§7.4), private messages (§7.5), nick changes (§7.6), leaving (§7.14), subject (§8.1)
// and discussion history (§7.2.12–§7.2.15).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';
import { configure, createRoom, errorCondition, freshRoom, groupchat, iq, join, mucItem, presenceFrom, SERVICE, statusCodes } from '../harness/muc.js';

let server: ServerProcess;
const clients: Record<string, XmlClient> = {};

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob', 'carol']) {
    await server.addUser(`${user}@localhost`, 'pw');
    clients[user] = (await login(server.ports.c2s, user, 'pw', 'desk')).client;
  }
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0045 entering rooms', () => {
  it('XEP-0045 §10.1.1/§7.2: the first join creates a locked room owned by its creator (201, 110), an empty submit unlocks it (§10.1.2)', async () => {
    const { alice, bob } = clients as Required<typeof clients>;
    const room = freshRoom();
    const self = await join(alice!, room, 'Alice');
    expect(statusCodes(self)).toEqual(['110', '170', '201']);
    expect(mucItem(self)).toMatchObject({ affiliation: 'owner', role: 'moderator', jid: 'alice@localhost/desk' });
    expect(self.getChild('occupant-id', 'urn:xmpp:occupant-id:0')?.attrs.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // §7.2.15: the subject (empty) follows the presence.
    const subject = await alice!.next((e) => e.name === 'message' && e.attrs.from === room);
    expect(subject.getChildText('subject')).toBe('');
    const locked = await join(bob!, room, 'Bob');
    expect(locked.attrs.type).toBe('error');
    expect(errorCondition(locked)).toBe('item-not-found');
    expect((await configure(alice!, room)).attrs.type).toBe('result');
    const entered = await join(bob!, room, 'Bob');
    expect(statusCodes(entered)).toEqual(['110', '170']);
    expect(mucItem(entered)).toEqual({ affiliation: 'none', role: 'participant', jid: 'bob@localhost/desk' });
    // §7.2.3: the owner hears of Bob; semi-anonymous, but moderators see real JIDs.
    expect(mucItem(await presenceFrom(alice!, room, 'Bob'))).toMatchObject({ role: 'participant', jid: 'bob@localhost/desk' });
  });

  it('XEP-0045 §7.2.3: a newcomer gets the others\' presence first, without real JIDs in a semi-anonymous room', async () => {
    const { alice, bob, carol } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    carol!.send(`<presence to='${room}/Carol'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const first = await carol!.next((e) => e.name === 'presence');
    const second = await carol!.next((e) => e.name === 'presence');
    const third = await carol!.next((e) => e.name === 'presence');
    expect([first.attrs.from, second.attrs.from]).toEqual(expect.arrayContaining([`${room}/Alice`, `${room}/Bob`]));
    expect(mucItem(first).jid).toBeUndefined();
    expect(third.attrs.from).toBe(`${room}/Carol`);
    expect(statusCodes(third)).toContain('110');
  });

  it('XEP-0045 §7.2.9: a nickname in use is a conflict (409); §7.2.1: no nickname is jid-malformed', async () => {
    const { alice, bob } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    const taken = await join(bob!, room, 'Alice');
    expect(errorCondition(taken)).toBe('conflict');
    expect(taken.getChild('error')?.attrs.type).toBe('cancel');
    bob!.send(`<presence to='${room}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const bare = await bob!.next((e) => e.name === 'presence' && e.attrs.from === room && e.attrs.type === 'error');
    expect(errorCondition(bare)).toBe('jid-malformed');
  });

  it('XEP-0045 §7.4: groupchat goes to every occupant from the sender\'s occupant JID, stamped by the room (XEP-0359, XEP-0421)', async () => {
    const { alice, bob } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    bob!.send(`<message type='groupchat' to='${room}' id='m1'><body>hello room</body><stanza-id xmlns='urn:xmpp:sid:0' by='${room}' id='forged'/></message>`);
    const atAlice = await groupchat(alice!, room, 'hello room');
    const echo = await groupchat(bob!, room, 'hello room');
    expect(atAlice.attrs).toMatchObject({ from: `${room}/Bob`, to: 'alice@localhost/desk', id: 'm1' });
    expect(echo.attrs.id).toBe('m1');
    const ids = atAlice.getChildren('stanza-id', 'urn:xmpp:sid:0').filter((e) => e.attrs.by === room);
    expect(ids).toHaveLength(1);
    expect(ids[0]!.attrs.by).toBe(room);
    expect(ids[0]!.attrs.id).not.toBe('forged');
    expect(atAlice.getChild('occupant-id', 'urn:xmpp:occupant-id:0')?.attrs.id).toBe(echo.getChild('occupant-id', 'urn:xmpp:occupant-id:0')?.attrs.id);
  });

  it('XEP-0045 §7.4: a sender who is not in the room gets not-acceptable; an unknown room is item-not-found', async () => {
    const { alice, carol } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    carol!.send(`<message type='groupchat' to='${room}' id='x1'><body>let me in</body></message>`);
    const refused = await carol!.next((e) => e.name === 'message' && e.attrs.id === 'x1');
    expect(errorCondition(refused)).toBe('not-acceptable');
    const info = await iq(carol!, 'get', `nowhere-${process.pid}@${SERVICE}`, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    expect(errorCondition(info)).toBe('item-not-found');
  });

  it('XEP-0045 §7.5: private messages reach one occupant from the sender\'s occupant JID; an absent nick is item-not-found', async () => {
    const { alice, bob } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    bob!.send(`<message type='chat' to='${room}/Alice' id='pm1'><body>psst</body></message>`);
    const pm = await alice!.next((e) => e.name === 'message' && e.attrs.id === 'pm1');
    expect(pm.attrs).toMatchObject({ from: `${room}/Bob`, type: 'chat' });
    expect(pm.getChild('x', 'http://jabber.org/protocol/muc#user')).toBeDefined();
    bob!.send(`<message type='chat' to='${room}/Nobody' id='pm2'><body>hello?</body></message>`);
    expect(errorCondition(await bob!.next((e) => e.name === 'message' && e.attrs.id === 'pm2'))).toBe('item-not-found');
  });

  it('XEP-0045 §7.6: a nick change is unavailable with 303 and the new nick, then presence under the new nick; a taken nick is a conflict', async () => {
    const { alice, bob } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    bob!.send(`<presence to='${room}/Robert'/>`);
    const gone = await presenceFrom(alice!, room, 'Bob', 'unavailable');
    expect(statusCodes(gone)).toEqual(['303']);
    expect(mucItem(gone).nick).toBe('Robert');
    expect(mucItem(await presenceFrom(alice!, room, 'Robert')).role).toBe('participant');
    expect(statusCodes(await presenceFrom(bob!, room, 'Bob', 'unavailable'))).toEqual(['110', '303']);
    bob!.send(`<presence to='${room}/Alice'/>`);
    const conflict = await bob!.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Alice` && e.attrs.type === 'error');
    expect(errorCondition(conflict)).toBe('conflict');
  });

  it('XEP-0045 §7.14: leaving is broadcast as unavailable (110 to the leaver); the last one out removes a temporary room', async () => {
    const { alice, bob } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    bob!.send(`<presence to='${room}/Bob' type='unavailable'/>`);
    expect(statusCodes(await presenceFrom(bob!, room, 'Bob', 'unavailable'))).toEqual(['110']);
    expect(mucItem(await presenceFrom(alice!, room, 'Bob', 'unavailable')).role).toBe('none');
    alice!.send(`<presence to='${room}/Alice' type='unavailable'/>`);
    await presenceFrom(alice!, room, 'Alice', 'unavailable');
    expect(errorCondition(await iq(alice!, 'get', room, "<query xmlns='http://jabber.org/protocol/disco#info'/>"))).toBe('item-not-found');
  });

  it('XEP-0045 §7.14: a client that disconnects without leaving is removed (its server sends the unavailable presence)', async () => {
    const { alice } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await server.addUser('dora@localhost', 'pw');
    const { client: dora } = await login(server.ports.c2s, 'dora', 'pw', 'phone');
    await join(dora, room, 'Dora');
    dora.destroy();
    expect(mucItem(await presenceFrom(alice!, room, 'Dora', 'unavailable')).role).toBe('none');
  });

  it('XEP-0045 §8.1: a moderator changes the subject, everyone gets it, newcomers get it after the history; a participant may not', async () => {
    const { alice, bob, carol } = clients;
    const room = freshRoom();
    await createRoom(alice!, room, 'Alice');
    await join(bob!, room, 'Bob');
    alice!.send(`<message type='groupchat' to='${room}'><subject>Plans for Friday</subject></message>`);
    const atBob = await bob!.next((e) => e.name === 'message' && e.getChildText('subject') === 'Plans for Friday');
    expect(atBob.attrs.from).toBe(`${room}/Alice`);
    bob!.send(`<message type='groupchat' to='${room}' id='s2'><subject>mine now</subject></message>`);
    expect(errorCondition(await bob!.next((e) => e.name === 'message' && e.attrs.id === 's2'))).toBe('forbidden');
    await join(carol!, room, 'Carol');
    const subject = await carol!.next((e) => e.name === 'message' && String(e.attrs.from).startsWith(room) && e.getChild('subject') !== undefined);
    expect(subject.attrs.from).toBe(`${room}/Alice`);
    expect(subject.getChildText('subject')).toBe('Plans for Friday');
  });
});
