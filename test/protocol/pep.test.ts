// XEP-0163 Personal Eventing Protocol over real sockets: the XEP-0060 subset on an account's
// bare JID, publish-options and preconditions, access models, filtered notifications, last
// published items, and the module's limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { announceCaps } from '../harness/caps.js';
import { letSeePresence, nextPresence, nothingBefore } from '../harness/im.js';
import { form, iq, isEventFor, itemIds, NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_OWNER, publishXml, pubsubErrorOf } from '../harness/pep.js';
import type { XmlClient } from '../harness/xml-client.js';

const ALICE = 'alice@localhost';
const MAX_ITEMS = 5;
const MAX_ITEM_BYTES = 4096;
const MAX_NODES = 30;
const MAX_ACCOUNT_BYTES = 12000;
let server: ServerProcess;
let alice: { client: XmlClient; jid: string };
let clientCount = 0;

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: `modules:\n  pep:\n    options:\n      maxItemsPerNode: ${MAX_ITEMS}\n      maxItemBytes: ${MAX_ITEM_BYTES}\n      maxNodesPerAccount: ${MAX_NODES}\n      maxBytesPerAccount: ${MAX_ACCOUNT_BYTES}`,
  });
  for (const user of ['alice', 'bob', 'carol', 'erin', 'hoarder', 'heavy', 'gone']) await server.addUser(`${user}@localhost`, 'pw');
  await letSeePresence(server.ports.c2s, 'alice', 'bob', 'pw', ['Family']);
  await letSeePresence(server.ports.c2s, 'alice', 'erin', 'pw');
  alice = await login(server.ports.c2s, 'alice', 'pw', 'desk');
});

afterAll(async () => {
  alice?.client.destroy();
  await server?.stop();
  server?.cleanup();
});

/** A logged-in, available client whose caps list these `+notify` nodes (a fresh caps ver each time). */
async function online(user: string, resource: string, notify: string[]): Promise<{ client: XmlClient; jid: string }> {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  const features = ['http://jabber.org/protocol/disco#info', ...notify.map((n) => `${n}+notify`)];
  await announceCaps(session.client, [{ category: 'client', type: 'pc', name: `pep-test-${++clientCount}` }], features);
  await nextPresence(session.client, session.jid);
  return session;
}

const xmlPayload = (text: string) => `<entry xmlns='urn:example:pep'>${text}</entry>`;

async function publish(node: string, id: string, options?: Record<string, string | string[]>, client = alice.client) {
  return iq(client, 'set', undefined, publishXml(node, id, xmlPayload(id), options));
}

async function items(client: XmlClient, node: string, to = ALICE, attrs = '') {
  return iq(client, 'get', to, `<pubsub xmlns='${NS_PUBSUB}'><items node='${node}'${attrs}/></pubsub>`);
}

async function configOf(node: string): Promise<Record<string, string[]>> {
  const answer = await iq(alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='${node}'/></pubsub>`);
  const fields = answer.getChild('pubsub', NS_PUBSUB_OWNER)?.getChild('configure')?.getChild('x', 'jabber:x:data')?.getChildren('field') ?? [];
  return Object.fromEntries(fields.map((f) => [String(f.attrs.var), f.getChildren('value').map((v) => v.getText())]));
}

async function configure(node: string, fields: Record<string, string | string[]>) {
  return iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='${node}'>${form('http://jabber.org/protocol/pubsub#node_config', fields)}</configure></pubsub>`);
}

describe('XEP-0163 §8 / XEP-0030: what a client finds on its account', () => {
  it('XEP-0163 §8: disco#info to the bare JID shows identity pubsub/pep, the XEP-0060 features and urn:xmpp:sid:0', async () => {
    const answer = await iq(alice.client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    const query = answer.getChild('query', 'http://jabber.org/protocol/disco#info')!;
    expect(query.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`)).toEqual(expect.arrayContaining(['account/registered', 'pubsub/pep']));
    const features = query.getChildren('feature').map((f) => f.attrs.var);
    const wanted = ['publish', 'publish-options', 'persistent-items', 'auto-create', 'filtered-notifications', 'retrieve-items', 'retract-items', 'delete-items', 'delete-nodes', 'create-nodes', 'subscribe', 'config-node', 'config-node-max', 'access-open', 'access-presence', 'access-whitelist', 'last-published', 'purge-nodes'];
    expect(features).toEqual(expect.arrayContaining([...wanted.map((f) => `${NS_PUBSUB}#${f}`), 'urn:xmpp:sid:0']));
  });

  it('XEP-0163 §8 note: disco#items lists only the nodes the asker may access', async () => {
    await publish('urn:example:disco-open', '1', { 'pubsub#access_model': 'open' });
    await publish('urn:example:disco-presence', '1');
    const carol = await login(server.ports.c2s, 'carol', 'pw', 'x');
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'x');
    const nodesFor = async (client: XmlClient) =>
      (await iq(client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#items'/>")).getChild('query')!.getChildren('item').map((i) => i.attrs.node);
    expect(await nodesFor(carol.client)).toContain('urn:example:disco-open');
    expect(await nodesFor(carol.client)).not.toContain('urn:example:disco-presence');
    expect(await nodesFor(bob.client)).toEqual(expect.arrayContaining(['urn:example:disco-open', 'urn:example:disco-presence']));
    carol.client.destroy();
    bob.client.destroy();
  });
});

/**
 * The PEP rows of the server-information screens, replayed as each client checks them on the
 * account's own bare JID. Conversations (XmppConnection.Features): pep() = identity pubsub/pep,
 * pepPersistent() = #persistent-items, pepPublishOptions() = #publish-options, stanzaIds() =
 * urn:xmpp:sid:0. Gajim (modules/pep.py): identity pubsub/pep; publish-options before using PEP
 * bookmarks. Dino and Monal: identity pubsub/pep and #publish-options for OMEMO, bookmarks and
 * MDS, plus the XEP-0060 features the issue lists (not re-read from their sources here).
 */
const CLIENT_ROWS: Record<string, { identity: string; features: string[] }> = {
  Conversations: { identity: 'pubsub/pep', features: [`${NS_PUBSUB}#persistent-items`, `${NS_PUBSUB}#publish-options`, 'urn:xmpp:sid:0'] },
  Gajim: { identity: 'pubsub/pep', features: [`${NS_PUBSUB}#publish-options`] },
  Dino: { identity: 'pubsub/pep', features: [`${NS_PUBSUB}#publish-options`, `${NS_PUBSUB}#publish`, `${NS_PUBSUB}#auto-create`] },
  Monal: { identity: 'pubsub/pep', features: [`${NS_PUBSUB}#publish-options`, `${NS_PUBSUB}#config-node-max`, `${NS_PUBSUB}#filtered-notifications`, 'urn:xmpp:sid:0'] },
};

describe('server-information screens: the PEP rows clients show', () => {
  for (const [clientName, rows] of Object.entries(CLIENT_ROWS)) {
    it(`XEP-0163 §8: every PEP row ${clientName} shows reads "available"`, async () => {
      const answer = await iq(alice.client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
      const query = answer.getChild('query', 'http://jabber.org/protocol/disco#info')!;
      const identities = query.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`);
      const features = new Set(query.getChildren('feature').map((f) => f.attrs.var));
      const unavailable = [rows.identity, ...rows.features].filter((row) => !(row === rows.identity ? identities.includes(row) : features.has(row)));
      expect(unavailable).toEqual([]);
    });
  }
});

describe('XEP-0060 §7.1 publish and §6.5 retrieve', () => {
  it('XEP-0163 §3 / XEP-0060 §7.1.2: publishing auto-creates the node and answers with the item id', async () => {
    const answer = await publish('urn:example:auto', 'first');
    expect(answer.attrs.type).toBe('result');
    expect(answer.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id).toBe('first');
    const got = await items(alice.client, 'urn:example:auto');
    expect(itemIds(got)).toEqual(['first']);
    expect(got.getChild('pubsub')?.getChild('items')?.getChild('item')?.getChild('entry', 'urn:example:pep')?.getText()).toBe('first');
  });

  it('XEP-0060 §7.1.3.6: a publish without an item gets bad-request with <item-required/>', async () => {
    const answer = await iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><publish node='urn:example:x'/></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'bad-request', pubsub: 'item-required' });
  });

  it('XEP-0060 §7.1.3.5: an item with two payloads gets bad-request with <invalid-payload/>', async () => {
    const answer = await iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><publish node='urn:example:x'><item id='1'><a xmlns='urn:a'/><b xmlns='urn:b'/></item></publish></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'bad-request', pubsub: 'invalid-payload' });
  });

  it('XEP-0060 §6.5.7: max_items returns the newest items; §6.5.8 by id returns the one asked', async () => {
    for (const id of ['a', 'b', 'c']) await publish('urn:example:many', id, { 'pubsub#max_items': '5' });
    expect(itemIds(await items(alice.client, 'urn:example:many', ALICE, " max_items='2'"))).toEqual(['b', 'c']);
    const byId = await iq(alice.client, 'get', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:many'><item id='a'/></items></pubsub>`);
    expect(itemIds(byId)).toEqual(['a']);
  });

  it('XEP-0060 §6.5.9.11: items of a node that does not exist: item-not-found', async () => {
    expect(pubsubErrorOf(await items(alice.client, 'urn:example:none')).condition).toBe('item-not-found');
  });

  it('XEP-0163 §1: only the account publishes to its own service (forbidden for others)', async () => {
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'x');
    const answer = await iq(bob.client, 'set', ALICE, publishXml('urn:example:auto', 'x', xmlPayload('x')));
    expect(pubsubErrorOf(answer).condition).toBe('forbidden');
    bob.client.destroy();
  });
});

describe('XEP-0060 §7.1.5 publish-options and preconditions', () => {
  it('XEP-0060 §7.1.5: access_model=open on a new node creates it open', async () => {
    await publish('urn:example:opts-open', '1', { 'pubsub#access_model': 'open' });
    expect((await configOf('urn:example:opts-open'))['pubsub#access_model']).toEqual(['open']);
  });

  it('XEP-0060 §7.1.5: a precondition the existing node does not meet fails with conflict and <precondition-not-met/>, storing nothing', async () => {
    await publish('urn:example:opts-pre', '1', { 'pubsub#access_model': 'open' });
    const answer = await publish('urn:example:opts-pre', '2', { 'pubsub#access_model': 'whitelist' });
    expect(pubsubErrorOf(answer)).toMatchObject({ type: 'cancel', condition: 'conflict', pubsub: 'precondition-not-met' });
    expect(pubsubErrorOf(answer).text).toMatch(/pubsub#access_model/);
    expect(itemIds(await items(alice.client, 'urn:example:opts-pre'))).toEqual(['1']);
    // A met precondition publishes.
    expect((await publish('urn:example:opts-pre', '3', { 'pubsub#access_model': 'open' })).attrs.type).toBe('result');
  });

  it('XEP-0060 §7.1.5: an unknown publish option is refused, not ignored', async () => {
    const answer = await publish('urn:example:opts-unknown', '1', { 'pubsub#made_up': '1' });
    expect(pubsubErrorOf(answer).condition).toBe('not-acceptable');
    expect(pubsubErrorOf(await items(alice.client, 'urn:example:opts-unknown')).condition).toBe('item-not-found');
  });

  it('XEP-0060 §16.4.4 persist_items=false: only the newest item is kept', async () => {
    await publish('urn:example:transient', '1', { 'pubsub#persist_items': 'false', 'pubsub#max_items': '5' });
    await publish('urn:example:transient', '2', { 'pubsub#persist_items': 'false', 'pubsub#max_items': '5' });
    expect(itemIds(await items(alice.client, 'urn:example:transient'))).toEqual(['2']);
  });

  it('XEP-0060 §16.4.4 max_items: the oldest items beyond it are dropped', async () => {
    for (const id of ['1', '2', '3']) await publish('urn:example:two', id, { 'pubsub#max_items': '2' });
    expect(itemIds(await items(alice.client, 'urn:example:two'))).toEqual(['2', '3']);
  });

  it("XEP-0060 §7.1.5 (config-node-max): max_items='max' is the server's limit, and matches it as a precondition", async () => {
    await publish('urn:example:max', '1', { 'pubsub#max_items': 'max' });
    expect((await configOf('urn:example:max'))['pubsub#max_items']).toEqual([String(MAX_ITEMS)]);
    expect((await publish('urn:example:max', '2', { 'pubsub#max_items': 'max' })).attrs.type).toBe('result');
    expect(pubsubErrorOf(await publish('urn:example:max', '3', { 'pubsub#max_items': '2' }))).toMatchObject({ condition: 'conflict', pubsub: 'precondition-not-met' });
  });

  it('XEP-0060 §16.4.4 max_items above the server limit is not-acceptable, naming the limit', async () => {
    const answer = await publish('urn:example:too-many', '1', { 'pubsub#max_items': String(MAX_ITEMS + 1) });
    expect(pubsubErrorOf(answer).condition).toBe('not-acceptable');
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ITEMS));
  });
});

describe('XEP-0060 §4.5 access models, as a stranger and as contacts see them', () => {
  it('XEP-0060 §6.5.9.3: presence (the default): a stranger gets not-authorized with <presence-subscription-required/>, a subscribed contact gets the items', async () => {
    await publish('urn:example:presence', '1');
    const carol = await login(server.ports.c2s, 'carol', 'pw', 'x');
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'x');
    expect(pubsubErrorOf(await items(carol.client, 'urn:example:presence'))).toMatchObject({ type: 'auth', condition: 'not-authorized', pubsub: 'presence-subscription-required' });
    expect(itemIds(await items(bob.client, 'urn:example:presence'))).toEqual(['1']);
    carol.client.destroy();
    bob.client.destroy();
  });

  it('XEP-0060 §4.5 open: anyone gets the items', async () => {
    await publish('urn:example:open', '1', { 'pubsub#access_model': 'open' });
    const carol = await login(server.ports.c2s, 'carol', 'pw', 'x');
    expect(itemIds(await items(carol.client, 'urn:example:open'))).toEqual(['1']);
    carol.client.destroy();
  });

  it('XEP-0060 §6.5.9.4: roster: a contact outside the allowed groups gets not-authorized with <not-in-roster-group/>', async () => {
    await publish('urn:example:roster', '1', { 'pubsub#access_model': 'roster', 'pubsub#roster_groups_allowed': ['Family'] });
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'x');
    const erin = await login(server.ports.c2s, 'erin', 'pw', 'x');
    expect(itemIds(await items(bob.client, 'urn:example:roster'))).toEqual(['1']);
    expect(pubsubErrorOf(await items(erin.client, 'urn:example:roster'))).toMatchObject({ condition: 'not-authorized', pubsub: 'not-in-roster-group' });
    bob.client.destroy();
    erin.client.destroy();
  });

  it('XEP-0060 §6.5.9.5 / §8.9: whitelist: not-allowed with <closed-node/> until the owner affiliates the JID', async () => {
    await publish('urn:example:whitelist', '1', { 'pubsub#access_model': 'whitelist' });
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'x');
    expect(pubsubErrorOf(await items(bob.client, 'urn:example:whitelist'))).toMatchObject({ condition: 'not-allowed', pubsub: 'closed-node' });
    const set = await iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><affiliations node='urn:example:whitelist'><affiliation jid='bob@localhost' affiliation='member'/></affiliations></pubsub>`);
    expect(set.attrs.type).toBe('result');
    const listed = await iq(alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><affiliations node='urn:example:whitelist'/></pubsub>`);
    expect(listed.getChild('pubsub')!.getChild('affiliations')!.getChildren('affiliation').map((a) => `${a.attrs.jid}=${a.attrs.affiliation}`)).toEqual([
      `${ALICE}=owner`,
      'bob@localhost=member',
    ]);
    expect(itemIds(await items(bob.client, 'urn:example:whitelist'))).toEqual(['1']);
    bob.client.destroy();
  });

  it('RFC 6121 §8.5.1: pubsub to an account that does not exist answers service-unavailable', async () => {
    expect(pubsubErrorOf(await items(alice.client, 'urn:example:open', 'nobody@localhost')).condition).toBe('service-unavailable');
  });
});

describe('XEP-0163 §4.3 notifications', () => {
  it('XEP-0163 §4.3.1 / XEP-0060 §9.2: only resources whose caps include <node>+notify get the headline event, own resources included', async () => {
    const node = 'urn:example:filtered';
    const wanting = await online('bob', 'wanting', [node]);
    const indifferent = await online('bob', 'indifferent', ['urn:example:other']);
    const aliceWanting = await online('alice', 'phone', [node]);
    await publish(node, 'n1');
    const event = await wanting.client.next(isEventFor(ALICE, node));
    expect(event.attrs.type).toBe('headline');
    expect(itemIds(event)).toEqual(['n1']);
    await aliceWanting.client.next(isEventFor(ALICE, node));
    expect(await nothingBefore(indifferent.client, isEventFor(ALICE, node))).toBe(true);
    for (const s of [wanting, indifferent, aliceWanting]) s.client.destroy();
  });

  it('XEP-0163 §4.3.1: a stranger interested in the node gets nothing from a presence node', async () => {
    const node = 'urn:example:not-for-strangers';
    const carol = await online('carol', 'x', [node]);
    await publish(node, '1');
    expect(await nothingBefore(carol.client, isEventFor(ALICE, node))).toBe(true);
    carol.client.destroy();
  });

  it('XEP-0060 §4.5: notifications follow the access model: roster groups and the whitelist decide which contacts hear', async () => {
    const rosterNode = 'urn:example:notify-roster';
    const whitelistNode = 'urn:example:notify-whitelist';
    await publish(rosterNode, '0', { 'pubsub#access_model': 'roster', 'pubsub#roster_groups_allowed': ['Family'] });
    await publish(whitelistNode, '0', { 'pubsub#access_model': 'whitelist' });
    const bob = await online('bob', 'models', [rosterNode, whitelistNode]);
    const erin = await online('erin', 'models', [rosterNode, whitelistNode]);
    await bob.client.next(isEventFor(ALICE, rosterNode)); // last item on presence: Family may see it
    await publish(rosterNode, '1');
    await publish(whitelistNode, '1');
    expect(itemIds(await bob.client.next((el) => isEventFor(ALICE, rosterNode)(el) && itemIds(el)[0] === '1'))).toEqual(['1']);
    expect(await nothingBefore(bob.client, isEventFor(ALICE, whitelistNode))).toBe(true);
    expect(await nothingBefore(erin.client, (el) => isEventFor(ALICE, rosterNode)(el) || isEventFor(ALICE, whitelistNode)(el))).toBe(true);
    bob.client.destroy();
    erin.client.destroy();
  });

  it('XEP-0163 §4.3.3: a newly available interested resource gets the last published item, with a delay stamp', async () => {
    const node = 'urn:example:last';
    await publish(node, 'old', { 'pubsub#max_items': '2' });
    await publish(node, 'newest', { 'pubsub#max_items': '2' });
    const bob = await online('bob', 'late', [node]);
    const event = await bob.client.next(isEventFor(ALICE, node));
    expect(itemIds(event)).toEqual(['newest']);
    expect(event.getChild('delay', 'urn:xmpp:delay')?.attrs.from).toBe(ALICE);
    bob.client.destroy();
  });

  it('XEP-0060 §16.4.4 send_last_published_item=never: nothing on initial presence', async () => {
    const node = 'urn:example:never';
    await publish(node, '1', { 'pubsub#send_last_published_item': 'never' });
    const bob = await online('bob', 'never', [node]);
    expect(await nothingBefore(bob.client, isEventFor(ALICE, node))).toBe(true);
    bob.client.destroy();
  });

  it('XEP-0060 §7.2.2.1: retracting notifies interested contacts when notify_retract is on, and not when it is off', async () => {
    const on = 'urn:example:retract-on';
    const off = 'urn:example:retract-off';
    await publish(on, 'r1');
    await publish(off, 'r1', { 'pubsub#notify_retract': '0' });
    const bob = await online('bob', 'retract', [on, off]);
    await bob.client.next(isEventFor(ALICE, on));
    await bob.client.next(isEventFor(ALICE, off));
    const retract = (node: string) => iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><retract node='${node}'><item id='r1'/></retract></pubsub>`);
    expect((await retract(on)).attrs.type).toBe('result');
    const event = await bob.client.next(isEventFor(ALICE, on));
    expect(event.getChild('event', NS_PUBSUB_EVENT)?.getChild('items')?.getChild('retract')?.attrs.id).toBe('r1');
    expect((await retract(off)).attrs.type).toBe('result');
    expect(await nothingBefore(bob.client, isEventFor(ALICE, off))).toBe(true);
    expect(pubsubErrorOf(await retract(on)).condition).toBe('item-not-found');
    bob.client.destroy();
  });

  it('XEP-0060 §8.5.2 / §8.4.2: purge and delete are announced to interested contacts', async () => {
    const node = 'urn:example:purge-delete';
    await publish(node, '1');
    const bob = await online('bob', 'purge', [node]);
    await bob.client.next(isEventFor(ALICE, node));
    const isOwnerEvent = (name: string) => (el: { name: string; attrs: Record<string, string>; getChild: (n: string, ns?: string) => any }) =>
      el.name === 'message' && el.attrs.from === ALICE && el.getChild('event', NS_PUBSUB_EVENT)?.getChild(name)?.attrs.node === node;
    await iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><purge node='${node}'/></pubsub>`);
    await bob.client.next(isOwnerEvent('purge'));
    expect(itemIds(await items(alice.client, node))).toEqual([]);
    await iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><delete node='${node}'/></pubsub>`);
    await bob.client.next(isOwnerEvent('delete'));
    expect(pubsubErrorOf(await items(alice.client, node)).condition).toBe('item-not-found');
    bob.client.destroy();
  });

  it('XEP-0060 §6.1 explicit subscription by a stranger to an open node: the last item at once, then new ones', async () => {
    const node = 'urn:example:explicit';
    await publish(node, '1', { 'pubsub#access_model': 'open' });
    const carol = await login(server.ports.c2s, 'carol', 'pw', 'sub');
    const answer = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><subscribe node='${node}' jid='${carol.jid}'/></pubsub>`);
    expect(answer.getChild('pubsub', NS_PUBSUB)?.getChild('subscription')?.attrs.subscription).toBe('subscribed');
    expect(itemIds(await carol.client.next(isEventFor(ALICE, node)))).toEqual(['1']);
    await publish(node, '2');
    expect(itemIds(await carol.client.next(isEventFor(ALICE, node)))).toEqual(['2']);
    const other = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><subscribe node='${node}' jid='bob@localhost'/></pubsub>`);
    expect(pubsubErrorOf(other)).toMatchObject({ condition: 'bad-request', pubsub: 'invalid-jid' });
    const off = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><unsubscribe node='${node}' jid='${carol.jid}'/></pubsub>`);
    expect(off.attrs.type).toBe('result');
    carol.client.destroy();
  });
});

describe('XEP-0060 §8 owner use cases', () => {
  it('XEP-0060 §8.2: the configuration form shows the node settings, and a submitted form changes them', async () => {
    await publish('urn:example:conf', '1');
    const before = await configOf('urn:example:conf');
    expect(before['pubsub#access_model']).toEqual(['presence']);
    expect(before['pubsub#send_last_published_item']).toEqual(['on_sub_and_presence']);
    expect((await configure('urn:example:conf', { 'pubsub#access_model': 'open', 'pubsub#max_items': '3' })).attrs.type).toBe('result');
    const after = await configOf('urn:example:conf');
    expect(after['pubsub#access_model']).toEqual(['open']);
    expect(after['pubsub#max_items']).toEqual(['3']);
  });

  it('XEP-0060 §8.1: creating an existing node is a conflict; §8.1.2.3 no instant nodes (nodeid-required)', async () => {
    const create = (attrs: string) => iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><create${attrs}/></pubsub>`);
    expect((await create(" node='urn:example:created'")).attrs.type).toBe('result');
    expect(pubsubErrorOf(await create(" node='urn:example:created'")).condition).toBe('conflict');
    expect(pubsubErrorOf(await create(''))).toMatchObject({ condition: 'not-acceptable', pubsub: 'nodeid-required' });
  });

  it('XEP-0060 §4.6: a use case not offered gets feature-not-implemented with <unsupported feature/>', async () => {
    const answer = await iq(alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB}'><subscriptions/></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'feature-not-implemented', pubsub: 'unsupported' });
    expect(answer.getChild('error')?.getChild('unsupported')?.attrs.feature).toBe('retrieve-subscriptions');
  });
});

describe('limits (module options)', () => {
  it(`XEP-0060 §7.1.3.4: an item above maxItemBytes (${MAX_ITEM_BYTES}) gets not-acceptable with <payload-too-big/>`, async () => {
    const answer = await iq(alice.client, 'set', undefined, publishXml('urn:example:big', '1', xmlPayload('x'.repeat(MAX_ITEM_BYTES))));
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'not-acceptable', pubsub: 'payload-too-big' });
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ITEM_BYTES));
  });

  it(`maxNodesPerAccount (${MAX_NODES}): one node more gets policy-violation with <max-nodes-exceeded/>`, async () => {
    const hoarder = await login(server.ports.c2s, 'hoarder', 'pw', 'x');
    for (let n = 0; n < MAX_NODES; n++) expect((await publish(`urn:example:node-${n}`, '1', undefined, hoarder.client)).attrs.type).toBe('result');
    const answer = await publish('urn:example:one-more', '1', undefined, hoarder.client);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'policy-violation', pubsub: 'max-nodes-exceeded' });
    // Publishing to an existing node still works.
    expect((await publish('urn:example:node-0', '2', undefined, hoarder.client)).attrs.type).toBe('result');
    hoarder.client.destroy();
  });

  it(`maxBytesPerAccount (${MAX_ACCOUNT_BYTES}): a publish that would take the account past it gets policy-violation, storing nothing`, async () => {
    const heavy = await login(server.ports.c2s, 'heavy', 'pw', 'x');
    const chunk = 'x'.repeat(3500);
    for (const n of [1, 2, 3]) expect((await iq(heavy.client, 'set', undefined, publishXml(`urn:example:heavy-${n}`, '1', xmlPayload(chunk)))).attrs.type).toBe('result');
    const answer = await iq(heavy.client, 'set', undefined, publishXml('urn:example:heavy-4', '1', xmlPayload(chunk)));
    expect(pubsubErrorOf(answer).condition).toBe('policy-violation');
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ACCOUNT_BYTES));
    expect(itemIds(await items(heavy.client, 'urn:example:heavy-4', 'heavy@localhost'))).toEqual([]);
    // Replacing an item with one of the same size still fits.
    expect((await iq(heavy.client, 'set', undefined, publishXml('urn:example:heavy-1', '1', xmlPayload(chunk)))).attrs.type).toBe('result');
    heavy.client.destroy();
  });

  it('an account deleted with `herald user del` takes its PEP nodes with it', async () => {
    const gone = await login(server.ports.c2s, 'gone', 'pw', 'x');
    await publish('urn:example:mine', '1', { 'pubsub#access_model': 'open' }, gone.client);
    gone.client.destroy();
    expect((await server.cli(['user', 'del', 'gone@localhost'])).code).toBe(0);
    await server.addUser('gone@localhost', 'pw');
    expect(pubsubErrorOf(await items(alice.client, 'urn:example:mine', 'gone@localhost')).condition).toBe('item-not-found');
  });
});
