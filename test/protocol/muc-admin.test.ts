// XEP-0045 owner and admin use cases against a real Herald process: configuration (§10.2),
// reserved rooms (§10.1.3), password (§7.2.5), members-only (§7.2.6, §9.5), bans (§9.1), kicks
// (§8.2), voice (§8.3–§8.4), max users (§7.2.10), affiliation lists (§9.5) and destruction (§10.9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';
import { configure, createRoom, errorCondition, freshRoom, iq, join, mucItem, NS_MUC_ADMIN, NS_MUC_OWNER, presenceFrom, statusCodes, serverWithUsers, stopAll } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient;
let bob: XmlClient;
let carol: XmlClient;

beforeAll(async () => {
  let clients: XmlClient[];
  ({ server, clients } = await serverWithUsers(['alice', 'bob', 'carol']));
  [alice, bob, carol] = clients as [XmlClient, XmlClient, XmlClient];
}, 120_000);

afterAll(() => stopAll(server, [alice, bob, carol]));

const admin = (room: string, client: XmlClient, item: string) => iq(client, 'set', room, `<query xmlns='${NS_MUC_ADMIN}'>${item}</query>`);
const list = (room: string, client: XmlClient, item: string) => iq(client, 'get', room, `<query xmlns='${NS_MUC_ADMIN}'>${item}</query>`);

describe('XEP-0045 owners and admins', () => {
  it('XEP-0045 §10.2: the owner gets the muc#roomconfig form; others are forbidden; a bad value is refused with a reason', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    const form = (await iq(alice, 'get', room, `<query xmlns='${NS_MUC_OWNER}'/>`)).getChild('query')!.getChild('x', 'jabber:x:data')!;
    expect(form.attrs.type).toBe('form');
    const vars = form.getChildren('field').map((f) => f.attrs.var);
    for (const name of ['muc#roomconfig_persistentroom', 'muc#roomconfig_membersonly', 'muc#roomconfig_moderatedroom', 'muc#roomconfig_roomsecret', 'muc#roomconfig_whois', 'muc#roomconfig_maxusers', 'muc#maxhistoryfetch', 'muc#roomconfig_publicroom', 'muc#roomconfig_allowinvites', 'muc#roomconfig_changesubject', 'muc#roomconfig_getmemberlist']) {
      expect(vars).toContain(name);
    }
    await join(bob, room, 'Bob');
    expect(errorCondition(await iq(bob, 'get', room, `<query xmlns='${NS_MUC_OWNER}'/>`))).toBe('forbidden');
    const bad = await configure(alice, room, { 'muc#roomconfig_maxusers': '0' });
    expect(errorCondition(bad)).toBe('not-acceptable');
    expect(bad.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toContain('muc#roomconfig_maxusers');
    // §10.2's example offers "none" for maxusers: accepted, the service's own limit applies.
    expect((await configure(alice, room, { 'muc#roomconfig_maxusers': 'none' })).attrs.type).toBe('result');
    // §10.2.1: a change is announced to occupants with status 104.
    expect((await configure(alice, room, { 'muc#roomconfig_roomname': 'Renamed' })).attrs.type).toBe('result');
    const notice = await bob.next((e) => e.name === 'message' && e.attrs.from === room && statusCodes(e).includes('104'));
    expect(notice.attrs.type).toBe('groupchat');
  });

  it('XEP-0045 §10.1.3: a reserved room is configured before anyone else may enter; cancelling destroys it', async () => {
    const room = freshRoom();
    expect(statusCodes(await join(alice, room, 'Alice'))).toContain('201');
    expect((await iq(alice, 'set', room, `<query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='cancel'/></query>`)).attrs.type).toBe('result');
    await presenceFrom(alice, room, 'Alice', 'unavailable');
    expect(errorCondition(await iq(alice, 'get', room, "<query xmlns='http://jabber.org/protocol/disco#info'/>"))).toBe('item-not-found');
  });

  it('XEP-0045 §7.2.5: a password-protected room refuses a missing or wrong password (not-authorized) and admits the right one', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_passwordprotectedroom': '1', 'muc#roomconfig_roomsecret': 'sesame' });
    expect(errorCondition(await join(bob, room, 'Bob'))).toBe('not-authorized');
    expect(errorCondition(await join(bob, room, 'Bob', { password: 'wrong' }))).toBe('not-authorized');
    expect(statusCodes(await join(bob, room, 'Bob', { password: 'sesame' }))).toContain('110');
  });

  it('XEP-0045 §7.2.6/§9.3: a members-only room admits members only (registration-required); members may read the member list when non-anonymous', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_membersonly': '1', 'muc#roomconfig_whois': 'anyone', 'muc#roomconfig_persistentroom': '1' });
    const refused = await join(bob, room, 'Bob');
    expect(errorCondition(refused)).toBe('registration-required');
    expect(refused.getChild('error')!.attrs.type).toBe('auth');
    expect((await admin(room, alice, "<item affiliation='member' jid='bob@localhost'/>")).attrs.type).toBe('result');
    const entered = await join(bob, room, 'Bob');
    // §7.2.4 non-anonymous: status 100, and everyone sees real JIDs.
    expect(statusCodes(entered)).toEqual(['100', '110', '170']);
    expect(mucItem(await presenceFrom(bob, room, 'Alice'))).toMatchObject({ jid: 'alice@localhost/desk', affiliation: 'owner' });
    const members = await list(room, bob, "<item affiliation='member'/>");
    expect(members.getChild('query')!.getChildren('item').map((i) => i.attrs.jid)).toEqual(['bob@localhost']);
    expect(errorCondition(await list(room, bob, "<item affiliation='outcast'/>"))).toBe('forbidden');
    // §9.4: taking membership away in a members-only room removes the occupant with 321.
    await admin(room, alice, "<item affiliation='none' jid='bob@localhost'/>");
    expect(statusCodes(await presenceFrom(bob, room, 'Bob', 'unavailable'))).toEqual(['110', '321']);
  });

  it('XEP-0045 §9.1: a ban removes the occupant with 301 and keeps them out (forbidden); admins cannot ban owners', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    expect((await admin(room, alice, "<item affiliation='outcast' jid='bob@localhost'><reason>spam</reason></item>")).attrs.type).toBe('result');
    const banned = await presenceFrom(bob, room, 'Bob', 'unavailable');
    expect(statusCodes(banned)).toEqual(['110', '301']);
    expect(mucItem(banned).affiliation).toBe('outcast');
    expect(banned.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChild('item')!.getChildText('reason')).toBe('spam');
    expect(statusCodes(await presenceFrom(alice, room, 'Bob', 'unavailable'))).toEqual(['301']);
    expect(errorCondition(await join(bob, room, 'Bob'))).toBe('forbidden');
    const outcasts = await list(room, alice, "<item affiliation='outcast'/>");
    expect(outcasts.getChild('query')!.getChildren('item').map((i) => i.attrs.jid)).toEqual(['bob@localhost']);
    await admin(room, alice, "<item affiliation='admin' jid='carol@localhost'/>");
    expect(errorCondition(await admin(room, carol, "<item affiliation='outcast' jid='alice@localhost'/>"))).toBe('not-allowed');
    // §10.6: the last owner cannot give up ownership.
    expect(errorCondition(await admin(room, alice, "<item affiliation='member' jid='alice@localhost'/>"))).toBe('conflict');
  });

  it('XEP-0045 §8.2: a moderator kicks a participant (307 with actor and reason); a participant cannot kick', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    await join(carol, room, 'Carol');
    expect(errorCondition(await admin(room, bob, "<item nick='Carol' role='none'/>"))).toBe('forbidden');
    expect((await admin(room, alice, "<item nick='Bob' role='none'><reason>off topic</reason></item>")).attrs.type).toBe('result');
    const kicked = await presenceFrom(bob, room, 'Bob', 'unavailable');
    expect(statusCodes(kicked)).toEqual(['110', '307']);
    const item = kicked.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChild('item')!;
    expect(item.getChild('actor')!.attrs.nick).toBe('Alice');
    expect(item.getChildText('reason')).toBe('off topic');
    expect(statusCodes(await presenceFrom(carol, room, 'Bob', 'unavailable'))).toEqual(['307']);
    expect(errorCondition(await admin(room, alice, "<item nick='Alice' role='none'/>"))).toBe('not-allowed');
  });

  it('XEP-0045 §8.3–§8.4: in a moderated room visitors may not speak until a moderator grants voice', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_moderatedroom': '1' });
    expect(mucItem(await join(bob, room, 'Bob')).role).toBe('visitor');
    bob.send(`<message type='groupchat' to='${room}' id='v1'><body>may I?</body></message>`);
    expect(errorCondition(await bob.next((e) => e.name === 'message' && e.attrs.id === 'v1'))).toBe('forbidden');
    await admin(room, alice, "<item nick='Bob' role='participant'/>");
    expect(mucItem(await presenceFrom(bob, room, 'Bob')).role).toBe('participant');
    const voices = await list(room, alice, "<item role='participant'/>");
    expect(voices.getChild('query')!.getChildren('item').map((i) => i.attrs.nick)).toEqual(['Bob']);
    bob.send(`<message type='groupchat' to='${room}' id='v2'><body>thanks</body></message>`);
    expect((await alice.next((e) => e.name === 'message' && e.attrs.id === 'v2')).attrs.type).toBe('groupchat');
  });

  it('XEP-0045 §7.2.10: a full room refuses newcomers with service-unavailable', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_maxusers': '2' });
    await join(bob, room, 'Bob');
    const full = await join(carol, room, 'Carol');
    expect(errorCondition(full)).toBe('service-unavailable');
    expect(full.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toContain('at most 2');
  });

  it('XEP-0045 §10.9: destroying a room tells every occupant, with the alternate venue and reason', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice', { 'muc#roomconfig_persistentroom': '1' });
    await join(bob, room, 'Bob');
    expect(errorCondition(await iq(bob, 'set', room, `<query xmlns='${NS_MUC_OWNER}'><destroy/></query>`))).toBe('forbidden');
    const answer = await iq(alice, 'set', room, `<query xmlns='${NS_MUC_OWNER}'><destroy jid='elsewhere@conference.localhost'><reason>moved</reason></destroy></query>`);
    expect(answer.attrs.type).toBe('result');
    const gone = await presenceFrom(bob, room, 'Bob', 'unavailable');
    const destroy = gone.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChild('destroy')!;
    expect(destroy.attrs.jid).toBe('elsewhere@conference.localhost');
    expect(destroy.getChildText('reason')).toBe('moved');
    expect(mucItem(gone)).toMatchObject({ affiliation: 'none', role: 'none' });
    expect(errorCondition(await iq(alice, 'get', room, "<query xmlns='http://jabber.org/protocol/disco#info'/>"))).toBe('item-not-found');
  });
});
