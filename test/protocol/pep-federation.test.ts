// XEP-0163 §4.3 across servers: a contact on another Herald (a.test ↔ b.test over s2s) gets PEP
// notifications filtered by the XEP-0115 caps of its clients, which the owner's server learns from
// the presence they send and verifies by asking them over the link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { barrier, getRoster, nextPresence, nextPush } from '../harness/im.js';
import { freePort, s2sYaml } from '../harness/federation.js';
import { answerCapsQueries, capsPresence, type ClientIdentity } from '../harness/caps.js';
import { iq, isEventFor, itemIds, publishXml } from '../harness/pep.js';
import type { XmlClient } from '../harness/xml-client.js';

const ALICE = 'alice@a.test';
const BOB = 'bob@b.test';
const NODE = 'urn:example:mood';
const DELAY = 'urn:xmpp:delay';
const open: XmlClient[] = [];
let a: ServerProcess;
let b: ServerProcess;

async function online(server: ServerProcess, user: string, domain: string, resource: string) {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  return session;
}

/** Logged in on b.test as bob, available with caps listing these features; records who verified them. */
async function bobWithCaps(resource: string, features: string[]) {
  const session = await online(b, 'bob', 'b.test', resource);
  const identity: ClientIdentity[] = [{ category: 'client', type: 'phone', name: `fed-${resource}` }];
  const askedBy: string[] = [];
  answerCapsQueries(session.client, identity, ['http://jabber.org/protocol/disco#info', ...features], (from) => askedBy.push(from));
  session.client.send(capsPresence(identity, ['http://jabber.org/protocol/disco#info', ...features]));
  await nextPresence(session.client, session.jid);
  return { ...session, askedBy, goAvailableAgain: () => session.client.send(capsPresence(identity, ['http://jabber.org/protocol/disco#info', ...features])) };
}

const publish = (client: XmlClient, id: string): Promise<Element> => iq(client, 'set', undefined, publishXml(NODE, id, `<mood xmlns='${NODE}'>${id}</mood>`));

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB }) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser(ALICE, 'pw'), b.addUser(BOB, 'pw')]);
  // alice and bob subscribe to each other's presence.
  const alice = await online(a, 'alice', 'a.test', 'setup');
  const bob = await online(b, 'bob', 'b.test', 'setup');
  for (const s of [alice, bob]) {
    await getRoster(s.client);
    s.client.send('<presence/>');
    await nextPresence(s.client, s.jid);
  }
  alice.client.send(`<presence to='${BOB}' type='subscribe'/>`);
  await bob.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === ALICE);
  bob.client.send(`<presence to='${ALICE}' type='subscribed'/>`);
  bob.client.send(`<presence to='${ALICE}' type='subscribe'/>`);
  await alice.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === BOB);
  alice.client.send(`<presence to='${BOB}' type='subscribed'/>`);
  let item = await nextPush(alice.client, BOB);
  while (item.subscription !== 'both') item = await nextPush(alice.client, BOB);
  let other = await nextPush(bob.client, ALICE);
  while (other.subscription !== 'both') other = await nextPush(bob.client, ALICE);
  alice.client.destroy();
  bob.client.destroy();
}, 60_000);

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

describe('XEP-0163 §4.3 notifications to a contact on another server', () => {
  it('XEP-0163 §4.3.3 / XEP-0115 §6.2: a remote resource announcing +notify gets the last published item, after its caps are verified over s2s from the owner', async () => {
    const alice = await online(a, 'alice', 'a.test', 'desk');
    expect((await publish(alice.client, 'first')).attrs.type).toBe('result');
    const phone = await bobWithCaps('phone', [`${NODE}+notify`]);
    const last = await phone.client.next(isEventFor(ALICE, NODE), 15_000);
    expect(itemIds(last)).toEqual(['first']);
    expect(last.attrs.type).toBe('headline');
    expect(last.getChild('delay', DELAY)?.attrs.stamp).toBeTruthy();
    // Its own server and alice's (from alice's bare JID, whom the client knows) asked what its caps mean.
    expect(phone.askedBy).toEqual(expect.arrayContaining(['b.test', ALICE]));
  });

  it('XEP-0163 §4.3.1 / XEP-0060 §9.2: a publish reaches the remote resources whose caps include +notify, and no others', async () => {
    const alice = await online(a, 'alice', 'a.test', 'desk2');
    const laptop = await bobWithCaps('laptop', ['urn:example:other+notify']);
    const tablet = await bobWithCaps('tablet', [`${NODE}+notify`]);
    // The tablet's caps are verified once its last item (the §4.3.3 send) arrives.
    await tablet.client.next(isEventFor(ALICE, NODE), 15_000);
    await a.waitForLog((l) => l.msg === 'caps: verified' && l.jid === laptop.jid, 15_000);
    expect((await publish(alice.client, 'second')).attrs.type).toBe('result');
    const event = await tablet.client.next((el) => isEventFor(ALICE, NODE)(el) && itemIds(el)[0] === 'second', 15_000);
    expect(event.getChild('delay', DELAY)).toBeUndefined();
    // One s2s link keeps order: once alice's later message reaches the laptop, an event for it would have too.
    await barrier(alice.client, laptop.client, laptop.jid);
    expect(laptop.client.inbox.some(isEventFor(ALICE, NODE))).toBe(false);
  });

  it('XEP-0163 §4.3.3: unavailable presence forgets the remote resource, so its next initial presence gets the last item again', async () => {
    const tv = await bobWithCaps('tv', [`${NODE}+notify`]);
    await tv.client.next(isEventFor(ALICE, NODE), 15_000);
    tv.client.send(`<presence type='unavailable'/>`);
    await nextPresence(tv.client, tv.jid, 'unavailable');
    tv.goAvailableAgain();
    const again = await tv.client.next(isEventFor(ALICE, NODE), 15_000);
    expect(itemIds(again)).toEqual(['second']);
  });
});
