// What modern clients need from rooms, against a real Herald process: the room's archive
// (XEP-0313 at the room JID with RSM), moderation (XEP-0425), self-ping (XEP-0410), invitations
// (XEP-0249 direct, XEP-0045 §7.8 mediated) and Conversations' private group configuration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';
import { createRoom, errorCondition, freshRoom, groupchat, iq, join, NS_MUC_ADMIN, NS_MUC_USER, statusCodes, serverWithUsers, stopAll } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient;
let bob: XmlClient;
let carol: XmlClient;

beforeAll(async () => {
  let clients: XmlClient[];
  ({ server, clients } = await serverWithUsers(['alice', 'bob', 'carol']));
  [alice, bob, carol] = clients as [XmlClient, XmlClient, XmlClient];
  // Available, so messages to their bare JIDs (invitations, declines) are delivered, not stored offline.
  carol.send('<presence/>');
  alice.send('<presence/>');
}, 120_000);

afterAll(() => stopAll(server, [alice, bob, carol]));

const MAM = 'urn:xmpp:mam:2';

/** Runs a MAM query at the room; resolves with the forwarded messages and the <fin/>. */
async function queryArchive(client: XmlClient, room: string, queryId: string, set = ''): Promise<{ results: Element[]; fin: Element }> {
  const answer = await iq(client, 'set', room, `<query xmlns='${MAM}' queryid='${queryId}'>${set}</query>`);
  if (answer.attrs.type !== 'result') return { results: [answer], fin: answer };
  const results = client.received.filter((e) => e.name === 'message' && e.getChild('result', MAM)?.attrs.queryid === queryId);
  return { results, fin: answer.getChild('fin', MAM)! };
}

const forwardedBody = (result: Element): string | null => result.getChild('result', MAM)!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!.getChildText('body');

describe('XEP-0045 with modern clients', () => {
  it('XEP-0313 §5.1.2: the room\'s archive is queried at the room JID and paged with RSM; members-only rooms keep it from non-members', async () => {
    const room = freshRoom('archive');
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_persistentroom': '1' });
    for (let i = 1; i <= 5; i++) {
      alice.send(`<message type='groupchat' to='${room}'><body>m${i}</body></message>`);
      await groupchat(alice, room, `m${i}`);
    }
    const first = await queryArchive(bob, room, 'q1', "<set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set>");
    expect(first.results.map(forwardedBody)).toEqual(['m1', 'm2']);
    expect(first.results[0]!.attrs.from).toBe(room);
    const forwarded = first.results[0]!.getChild('result', MAM)!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!;
    expect(forwarded.attrs.from).toBe(`${room}/Alice`);
    expect(first.fin.attrs.complete).toBeUndefined();
    const last = first.fin.getChild('set', 'http://jabber.org/protocol/rsm')!.getChildText('last')!;
    const rest = await queryArchive(bob, room, 'q2', `<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>${last}</after></set>`);
    expect(rest.results.map(forwardedBody)).toEqual(['m3', 'm4', 'm5']);
    expect(rest.fin.attrs.complete).toBe('true');
    const newest = await queryArchive(bob, room, 'q3', "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><before/></set>");
    expect(newest.results.map(forwardedBody)).toEqual(['m5']);

    const closed = freshRoom('closed');
    await createRoom(alice, closed, 'Alice', { 'muc#roomconfig_membersonly': '1' });
    expect(errorCondition((await queryArchive(bob, closed, 'q4')).fin)).toBe('forbidden');
  });

  it('XEP-0425: a moderator retracts a message for everyone; the archive keeps a tombstone; participants may not', async () => {
    const room = freshRoom('moderated');
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    bob.send(`<message type='groupchat' to='${room}'><body>something rude</body></message>`);
    const rude = await groupchat(alice, room, 'something rude');
    const id = rude.getChildren('stanza-id', 'urn:xmpp:sid:0').find((e) => e.attrs.by === room)!.attrs.id as string;
    const moderate = `<moderate xmlns='urn:xmpp:message-moderate:1' id='${id}'><retract xmlns='urn:xmpp:message-retract:1'/><reason>be kind</reason></moderate>`;
    expect(errorCondition(await iq(bob, 'set', room, moderate))).toBe('forbidden');
    expect((await iq(alice, 'set', room, moderate)).attrs.type).toBe('result');
    const retraction = await bob.next((e) => e.name === 'message' && e.attrs.from === room && e.getChild('retract', 'urn:xmpp:message-retract:1') !== undefined);
    const retract = retraction.getChild('retract', 'urn:xmpp:message-retract:1')!;
    expect(retract.attrs.id).toBe(id);
    expect(retract.getChild('moderated', 'urn:xmpp:message-moderate:1')!.attrs.by).toBe(`${room}/Alice`);
    expect(retract.getChildText('reason')).toBe('be kind');
    const { results } = await queryArchive(alice, room, 'tomb');
    const stored = results[0]!.getChild('result', MAM)!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!;
    expect(stored.getChild('body')).toBeUndefined();
    expect(stored.getChild('retracted', 'urn:xmpp:message-retract:1')).toBeDefined();
    expect(errorCondition(await iq(alice, 'set', room, moderate.replace(id, 'no-such-id')))).toBe('item-not-found');
  });

  it('XEP-0410 §3: the room answers a ping to one\'s own occupant JID while joined, and not-acceptable once not joined', async () => {
    const room = freshRoom('ping');
    await createRoom(alice, room, 'Alice');
    const ping = "<ping xmlns='urn:xmpp:ping'/>";
    expect((await iq(alice, 'get', `${room}/Alice`, ping)).attrs.type).toBe('result');
    expect(errorCondition(await iq(bob, 'get', `${room}/Alice`, ping))).toBe('not-acceptable');
  });

  it('XEP-0249: a direct invitation passes from one user to another unchanged', async () => {
    const room = freshRoom('direct');
    await createRoom(alice, room, 'Alice');
    alice.send(`<message to='carol@localhost' id='inv1'><x xmlns='jabber:x:conference' jid='${room}' reason='join us'/></message>`);
    const invite = await carol.next((e) => e.name === 'message' && e.attrs.id === 'inv1');
    expect(invite.getChild('x', 'jabber:x:conference')!.attrs).toMatchObject({ jid: room, reason: 'join us' });
  });

  it('XEP-0045 §7.8.2: a mediated invitation comes from the room with the inviter and password; in a members-only room it makes the invitee a member', async () => {
    const room = freshRoom('mediated');
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_membersonly': '1', 'muc#roomconfig_passwordprotectedroom': '1', 'muc#roomconfig_roomsecret': 'pw1' });
    alice.send(`<message to='${room}'><x xmlns='${NS_MUC_USER}'><invite to='carol@localhost'><reason>come</reason></invite></x></message>`);
    const invite = await carol.next((e) => e.name === 'message' && e.attrs.from === room);
    const x = invite.getChild('x', NS_MUC_USER)!;
    expect(x.getChild('invite')!.attrs.from).toBe('alice@localhost');
    expect(x.getChild('invite')!.getChildText('reason')).toBe('come');
    expect(x.getChildText('password')).toBe('pw1');
    expect(statusCodes(await join(carol, room, 'Carol', { password: 'pw1' }))).toContain('110');
    // §7.8.3: a decline goes back to the inviter from the room.
    carol.send(`<message to='${room}'><x xmlns='${NS_MUC_USER}'><decline to='alice@localhost'><reason>busy</reason></decline></x></message>`);
    const declined = await alice.next((e) => e.name === 'message' && e.attrs.from === room && e.getChild('x', NS_MUC_USER)?.getChild('decline') !== undefined);
    expect(declined.getChild('x', NS_MUC_USER)!.getChild('decline')!.attrs.from).toBe('carol@localhost');
  });

  it('Conversations private group (OMEMO): members-only, non-anonymous, persistent, hidden; members read the member list and everyone\'s real JID', async () => {
    const room = freshRoom('omemo');
    // The form Conversations submits, with a field Herald does not know (ignored).
    await createRoom(alice, room, 'Alice', {
      'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_membersonly': '1', 'muc#roomconfig_whois': 'anyone', 'muc#roomconfig_publicroom': '0',
      'muc#roomconfig_changesubject': '0', 'muc#roomconfig_allowinvites': '0', 'muc#roomconfig_enablearchiving': '1',
    });
    for (const user of ['bob', 'carol']) {
      expect((await iq(alice, 'set', room, `<query xmlns='${NS_MUC_ADMIN}'><item affiliation='member' jid='${user}@localhost'/></query>`)).attrs.type).toBe('result');
    }
    expect(statusCodes(await join(bob, room, 'Bob'))).toContain('100');
    const members = await iq(bob, 'get', room, `<query xmlns='${NS_MUC_ADMIN}'><item affiliation='member'/></query>`);
    expect(members.getChild('query')!.getChildren('item').map((i) => i.attrs.jid).sort()).toEqual(['bob@localhost', 'carol@localhost']);
    const owners = await iq(bob, 'get', room, `<query xmlns='${NS_MUC_ADMIN}'><item affiliation='owner'/></query>`);
    expect(errorCondition(owners)).toBe('forbidden');
  });
});
