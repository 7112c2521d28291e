// RFC 6121 over real sockets with several clients: rosters, subscriptions, presence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { barrier, getRoster, nextPresence, nextPush, rosterItems } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

let server: ServerProcess;
const open: XmlClient[] = [];

async function online(user: string, resource: string, options: { roster?: boolean; presence?: string | false } = {}) {
  const session = await login(server.ports.c2s, user, `${user}-pw`, resource);
  open.push(session.client);
  if (options.roster !== false) await getRoster(session.client);
  if (options.presence !== false) {
    session.client.send(options.presence ?? '<presence/>');
    await nextPresence(session.client, session.jid);
  }
  return session;
}

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank']) await server.addUser(`${user}@localhost`, `${user}-pw`);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('subscription handshake (RFC 6121 §3.1, Appendix A)', () => {
  it('RFC 6121 §3.1: subscribing both ways ends in both, with the right pushes at each step', async () => {
    const alice = await online('alice', 'a');
    const bob = await online('bob', 'b');

    alice.client.send("<presence to='bob@localhost' type='subscribe'/>");
    expect(await nextPush(alice.client, 'bob@localhost')).toMatchObject({ subscription: 'none', ask: 'subscribe' });
    const request = await nextPresence(bob.client, 'alice@localhost', 'subscribe');
    expect(request.attrs.to).toBe('bob@localhost');

    bob.client.send("<presence to='alice@localhost' type='subscribed'/>");
    expect(await nextPush(bob.client, 'alice@localhost')).toMatchObject({ subscription: 'from' });
    const toPush = await nextPush(alice.client, 'bob@localhost');
    expect(toPush.subscription).toBe('to');
    expect(toPush.ask).toBeUndefined();
    await nextPresence(alice.client, 'bob@localhost', 'subscribed');
    // §3.1.5: the contact's server sends the contact's current presence to the new subscriber.
    await nextPresence(alice.client, bob.jid);

    bob.client.send("<presence to='alice@localhost' type='subscribe'/>");
    expect(await nextPush(bob.client, 'alice@localhost')).toMatchObject({ subscription: 'from', ask: 'subscribe' });
    await nextPresence(alice.client, 'bob@localhost', 'subscribe');

    alice.client.send("<presence to='bob@localhost' type='subscribed'/>");
    expect(await nextPush(alice.client, 'bob@localhost')).toMatchObject({ subscription: 'both' });
    const both = await nextPush(bob.client, 'alice@localhost');
    expect(both.subscription).toBe('both');
    expect(both.ask).toBeUndefined();
    await nextPresence(bob.client, 'alice@localhost', 'subscribed');
    await nextPresence(bob.client, alice.jid);

    expect(rosterItems(await getRoster(alice.client))).toEqual([expect.objectContaining({ jid: 'bob@localhost', subscription: 'both' })]);
    alice.client.destroy();
    bob.client.destroy();
  });

  it('RFC 6121 §3.1.3: a subscription request to an offline user is delivered at its next login', async () => {
    const carol = await online('carol', 'c');
    carol.client.send("<presence to='dave@localhost' type='subscribe'><status>it is carol</status></presence>");
    await nextPush(carol.client, 'dave@localhost');
    const dave = await login(server.ports.c2s, 'dave', 'dave-pw', 'd');
    open.push(dave.client);
    await getRoster(dave.client);
    dave.client.send('<presence/>');
    const request = await nextPresence(dave.client, 'carol@localhost', 'subscribe');
    expect(request.getChildText('status')).toBe('it is carol');
    carol.client.destroy();
    dave.client.destroy();
  });
});

describe('presence (RFC 6121 §4)', () => {
  it('RFC 6121 §4.2: initial presence is broadcast to subscribers and probes answer with contacts\' presence', async () => {
    // alice and bob are "both" after the first test.
    const bob = await online('bob', 'home', { presence: "<presence><show>away</show><priority>3</priority></presence>" });
    const alice = await online('alice', 'phone', { presence: false });
    alice.client.send('<presence><status>hello</status></presence>');
    const atBob = await nextPresence(bob.client, alice.jid);
    expect(atBob.getChildText('status')).toBe('hello');
    const atAlice = await nextPresence(alice.client, bob.jid);
    expect(atAlice.getChildText('show')).toBe('away');

    // §4.4: an update is broadcast too.
    alice.client.send('<presence><show>dnd</show></presence>');
    expect((await nextPresence(bob.client, alice.jid)).getChildText('show')).toBe('dnd');

    // §4.5.1: an explicit unavailable.
    alice.client.send("<presence type='unavailable'/>");
    await nextPresence(bob.client, alice.jid, 'unavailable');
    alice.client.destroy();
    bob.client.destroy();
  });

  it('RFC 6121 §4.5.2: a killed connection is announced as unavailable', async () => {
    const bob = await online('bob', 'watch');
    const alice = await online('alice', 'laptop');
    await nextPresence(bob.client, alice.jid);
    alice.client.destroy();
    await nextPresence(bob.client, alice.jid, 'unavailable');
    bob.client.destroy();
  });

  it('RFC 6121 §4.6: directed presence reaches a non-contact and is cleaned up with unavailable at logout', async () => {
    const erin = await online('erin', 'e');
    const frank = await online('frank', 'f');
    erin.client.send(`<presence to='${frank.jid}'><status>just for you</status></presence>`);
    expect((await nextPresence(frank.client, erin.jid)).getChildText('status')).toBe('just for you');
    erin.client.end();
    await nextPresence(frank.client, erin.jid, 'unavailable');
    frank.client.destroy();
  });

  it('RFC 6121 §4.3.3: presence is not leaked to users without a subscription', async () => {
    const gina = await online('gina', 'g');
    const hank = await online('hank', 'h');
    gina.client.send('<presence><status>private</status></presence>');
    await nextPresence(gina.client, gina.jid);
    await barrier(gina.client, hank.client, hank.jid);
    expect(hank.client.inbox.some((el) => el.name === 'presence' && el.attrs.from === gina.jid)).toBe(false);
    gina.client.destroy();
    hank.client.destroy();
  });
});

describe('roster management (RFC 6121 §2)', () => {
  it('RFC 6121 §2.1.6 / §2.5: set and remove are pushed to every interested resource, not to others', async () => {
    const one = await online('gina', 'one');
    const two = await online('gina', 'two');
    const quiet = await online('gina', 'quiet', { roster: false });
    one.client.send("<iq type='set' id='add1'><query xmlns='jabber:iq:roster'><item jid='nobody@example.net' name='Nobody'><group>Friends</group></item></query></iq>");
    expect((await one.client.next((el) => el.attrs.id === 'add1')).attrs.type).toBe('result');
    expect(await nextPush(one.client, 'nobody@example.net')).toMatchObject({ name: 'Nobody', subscription: 'none' });
    expect(await nextPush(two.client, 'nobody@example.net')).toMatchObject({ name: 'Nobody' });
    one.client.send("<iq type='set' id='rm1'><query xmlns='jabber:iq:roster'><item jid='nobody@example.net' subscription='remove'/></query></iq>");
    expect(await nextPush(two.client, 'nobody@example.net')).toMatchObject({ subscription: 'remove' });
    await barrier(one.client, quiet.client, quiet.jid);
    expect(quiet.client.inbox.some((el) => el.name === 'iq' && el.attrs.type === 'set')).toBe(false);
    for (const s of [one, two, quiet]) s.client.destroy();
  });

  it('RFC 6121 §2.1.5: a subscription value other than remove in a roster set is ignored', async () => {
    const gina = await online('gina', 'bad');
    gina.client.send("<iq type='set' id='bad1'><query xmlns='jabber:iq:roster'><item jid='x@example.net' subscription='both'/></query></iq>");
    expect((await gina.client.next((el) => el.attrs.id === 'bad1')).attrs.type).toBe('result');
    expect(await nextPush(gina.client, 'x@example.net')).toMatchObject({ subscription: 'none' });
    gina.client.destroy();
  });

  it('RFC 6121 §2.3.3: a roster set with two items gets bad-request', async () => {
    const gina = await online('gina', 'two-items');
    gina.client.send("<iq type='set' id='bad2'><query xmlns='jabber:iq:roster'><item jid='p@example.net'/><item jid='q@example.net'/></query></iq>");
    const reply = await gina.client.next((el) => el.attrs.id === 'bad2');
    expect(reply.getChild('error')?.getChild('bad-request')).toBeDefined();
    gina.client.destroy();
  });

  it('XEP-0237 / RFC 6121 §2.6: versioned gets return nothing when unchanged and only the changes otherwise', async () => {
    const hank = await login(server.ports.c2s, 'hank', 'hank-pw', 'ver');
    open.push(hank.client);
    const first = await getRoster(hank.client, '');
    const ver = first.getChild('query', 'jabber:iq:roster')?.attrs.ver;
    expect(ver).toBeDefined();
    const same = await getRoster(hank.client, ver);
    expect(same.attrs.type).toBe('result');
    expect(same.getChild('query')).toBeUndefined();

    hank.client.send("<iq type='set' id='v-add'><query xmlns='jabber:iq:roster'><item jid='vera@example.net'/></query></iq>");
    await hank.client.next((el) => el.attrs.id === 'v-add');
    await nextPush(hank.client, 'vera@example.net');
    const later = await getRoster(hank.client, ver);
    expect(later.getChild('query')).toBeUndefined();
    const push = await nextPush(hank.client, 'vera@example.net');
    expect(push.subscription).toBe('none');
    hank.client.destroy();
  });

  it('XEP-0237: the rosterver stream feature is advertised', async () => {
    const { connectSecured, scramAuth, features } = await import('../harness/login.js');
    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'hank', 'hank-pw');
    await client.open();
    expect((await features(client)).getChild('ver', 'urn:xmpp:features:rosterver')).toBeDefined();
    client.destroy();
  });
});
