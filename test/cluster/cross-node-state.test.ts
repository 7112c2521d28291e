// State one node keeps about an account must follow changes made through another node at once
// (issue 17): the offline queue a resource on another node is being served from, and the caches
// of shared data (blocklists, archiving preferences), told over the bus's notices. And a reader
// that stops reading on one node does not make the sender's node hold its messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, sharedPostgres } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { barrier, letSeePresence, nextMessage, nextPresence, nothingBefore } from '../harness/im.js';
import { announceCaps } from '../harness/caps.js';
import { enableSm, handledCount, NS_SM } from '../harness/stream-management.js';
import { block } from '../harness/blocking.js';
import { NS_MAM, queryArchive } from '../harness/mam.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  // A small per-session bound, so a reader that stops reading is ended quickly (backpressure test).
  // (Above the 128 KiB a session writes before pacing: an offline flush must fit under it.)
  const limits = 'limits:\n  maxStanzaBytes: 65536\n  maxQueuedBytesPerSession: 262144\n  maxUnackedStanzas: 100000';
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 2, { extraYaml: `modules:\n  mam: {}\n${limits}` });
  for (const user of ['alice', 'bob', 'carol', 'mallory', 'dora', 'erin', 'finn']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

describe('offline delivery across nodes', () => {
  it('XEP-0160 §2: a message stored through node 1 while the account\'s offline delivery serves a resource on node 2 reaches that resource at once', async () => {
    // Bob's laptop on node 2 sent available presence: it is the resource stored messages go to.
    const laptop = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'laptop');
    laptop.client.send('<presence/>');
    // Bob's phone on node 1 (negative priority: never a target for stored messages) gets a
    // message, never acknowledges it, and leaves: node 1 stores the message offline (XEP-0198 §5).
    const phone = await login(cluster.node(0).ports.c2s, 'bob', 'pw', 'phone');
    await enableSm(phone.client);
    phone.client.send('<presence><priority>-1</priority></presence>');
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'desk');
    alice.client.send(`<message to='${phone.jid}' id='rehomed-1' type='chat'><body>for your phone</body></message>`);
    await nextMessage(phone.client, (el) => el.attrs.id === 'rehomed-1');
    phone.client.end();

    // Storing, the notice to node 2 and its flush are three hops: a loaded CI took more than 5 s.
    const got = await laptop.client.next((el) => el.name === 'message' && el.attrs.id === 'rehomed-1', 20_000);
    expect(got.getChildText('body')).toBe('for your phone');
    expect(got.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
    alice.client.end();
    laptop.client.end();
  }, 30_000);
});

describe('caches of shared data, invalidated on every node', () => {
  it('XEP-0191 §3.3: once a block made on node 1 is answered, a message from the blocked JID to the account\'s resource on node 2 is refused', async () => {
    const desk = await login(cluster.node(0).ports.c2s, 'carol', 'pw', 'desk');
    const tablet = await login(cluster.node(1).ports.c2s, 'carol', 'pw', 'tablet');
    const mallory = await login(cluster.node(1).ports.c2s, 'mallory', 'pw', 'm');
    // Node 2 reads (and keeps) Carol's blocklist while it is still empty.
    mallory.client.send(`<message to='${tablet.jid}' id='before' type='chat'><body>hi</body></message>`);
    await nextMessage(tablet.client, (el) => el.attrs.id === 'before');

    expect((await block(desk.client, 'mallory@localhost')).attrs.type).toBe('result');
    mallory.client.send(`<message to='${tablet.jid}' id='after' type='chat'><body>hi again</body></message>`);
    const error = await mallory.client.next((el) => el.name === 'message' && el.attrs.id === 'after');
    expect(error.attrs.type).toBe('error');
    expect(error.getChild('error')?.getChild('service-unavailable')).toBeDefined();
    expect(await nothingBefore(tablet.client, (el) => el.attrs.id === 'after')).toBe(true);
    for (const c of [desk, tablet, mallory]) c.client.end();
  }, 30_000);

  it('XEP-0313 §6: once archiving preferences set on node 1 are answered, node 2 archives by them', async () => {
    const desk = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'prefs-desk');
    const reader = await login(cluster.node(1).ports.c2s, 'alice', 'pw', 'prefs-reader');
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'prefs');
    // Node 2 routes Bob's messages and archives Alice's copy: it reads her preferences now.
    bob.client.send(`<message to='${desk.jid}' id='kept' type='chat'><body>archived by default</body></message>`);
    await nextMessage(desk.client, (el) => el.attrs.id === 'kept');
    // The copy is written beside delivery; a read through node 2 commits it (under the old preference).
    expect((await queryArchive(reader.client)).bodies).toContain('archived by default');

    desk.client.send(`<iq type='set' id='never'><prefs xmlns='${NS_MAM}' default='never'/></iq>`);
    expect((await desk.client.next((el) => el.attrs.id === 'never')).attrs.type).toBe('result');
    bob.client.send(`<message to='${desk.jid}' id='not-kept' type='chat'><body>not to be archived</body></message>`);
    await nextMessage(desk.client, (el) => el.attrs.id === 'not-kept');

    // Read through node 2, which commits what it gathered before answering.
    const { bodies } = await queryArchive(reader.client);
    expect(bodies).toContain('archived by default');
    expect(bodies).not.toContain('not to be archived');
    for (const c of [desk, reader, bob]) c.client.end();
  }, 30_000);
});

describe('backpressure across nodes', () => {
  it('XEP-0198 with RFC 6120 §7: a reader on node 2 that stops reading is ended at its bound; its sender on node 1 goes on, and every message reaches the reader later, in order', async () => {
    const reader = await login(cluster.node(1).ports.c2s, 'dora', 'pw', 'stalled');
    await enableSm(reader.client);
    reader.client.send('<presence/>');
    await nextPresence(reader.client, reader.jid); // available (its own presence came back)
    reader.client.pause();
    const sender = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'flood');
    await enableSm(sender.client);
    const filler = 'x'.repeat(2_000);
    const ids = Array.from({ length: 200 }, (_, n) => `bp-${n}`);
    sender.client.send(ids.map((id) => `<message to='${reader.jid}' id='${id}' type='chat'><body>${id} ${filler}</body></message>`).join(''));
    // Node 2 ends the session once it holds more than 256 KiB for it; node 1 handles all 200.
    await cluster.node(1).waitForLog((l) => l.msg === 'session closed' && l.jid === reader.jid, 30_000);
    sender.client.send(`<r xmlns='${NS_SM}'/>`);
    expect(Number((await sender.client.next((el) => el.name === 'a', 30_000)).attrs.h)).toBe(200);
    expect(sender.client.received.filter((el) => el.attrs.type === 'error')).toEqual([]);
    reader.client.destroy();

    const back = await login(cluster.node(0).ports.c2s, 'dora', 'pw', 'back');
    back.client.send('<presence/>');
    await back.client.next((el) => el.name === 'message' && el.attrs.id === 'bp-199', 30_000);
    const got = back.client.received.filter((el) => el.name === 'message' && (el.attrs.id ?? '').startsWith('bp-')).map((el) => el.attrs.id);
    expect(got).toEqual(ids);
    sender.client.end();
    back.client.end();
  }, 60_000);
});

describe('a stanza another node sent is written as it came', () => {
  it('XEP-0184 §7 with XEP-0198: a client on node 2 that cannot answer receipts acknowledges a message from node 1; Herald sends the receipt for it, once', async () => {
    await letSeePresence(cluster.node(0).ports.c2s, 'finn', 'erin', 'pw');
    const recipient = await login(cluster.node(1).ports.c2s, 'finn', 'pw', 'legacy');
    await enableSm(recipient.client);
    await announceCaps(recipient.client, [{ category: 'client', type: 'pc', name: 'legacy' }], ['http://jabber.org/protocol/disco#info']);
    await nextPresence(recipient.client, recipient.jid);
    const sender = await login(cluster.node(0).ports.c2s, 'erin', 'pw', 'asks');
    sender.client.send(`<message to='${recipient.jid}' type='chat' id='rq-x'><body>across?</body><request xmlns='urn:xmpp:receipts'/></message>`);
    const got = await nextMessage(recipient.client, (m) => m.attrs.id === 'rq-x');
    expect(got.getChild('request', 'urn:xmpp:receipts')).toBeDefined();
    expect(got.getChildText('body')).toBe('across?');
    const handled = handledCount(recipient.client);
    recipient.client.send(`<a xmlns='${NS_SM}' h='${handled}'/>`);
    const receipt = await nextMessage(sender.client, (m) => m.getChild('received', 'urn:xmpp:receipts')?.attrs.id === 'rq-x');
    expect(receipt.attrs.from).toBe(recipient.jid);
    recipient.client.send(`<a xmlns='${NS_SM}' h='${handled}'/>`);
    await barrier(recipient.client, sender.client, sender.jid);
    expect(sender.client.received.filter((m) => m.getChild('received', 'urn:xmpp:receipts')?.attrs.id === 'rq-x')).toHaveLength(1);
    sender.client.end();
    recipient.client.end();
  }, 30_000);
});
