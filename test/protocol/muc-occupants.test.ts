// XEP-0045 occupants against a real Herald process: which roles' presence a room broadcasts
// (§10.2 muc#roomconfig_presencebroadcast), IQs to occupants (§7.2 "IQ to an occupant"), and one
// user in a room from several clients under one nick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
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
