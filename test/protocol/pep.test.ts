// XEP-0163 Personal Eventing Protocol over real sockets: discovery on the account, the XEP-0060
// publish/retrieve/owner use cases, publish-options and preconditions, and the module's limits.
// Access models and notifications: pep-notifications.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iq, itemIds, NS_PUBSUB, NS_PUBSUB_OWNER, publishXml, pubsubErrorOf } from '../harness/pep.js';
import { ALICE, entryPayload, startPepServer, type PepServer } from '../harness/pep-server.js';
import type { XmlClient } from '../harness/xml-client.js';

const MAX_ITEMS = 5;
const MAX_ITEM_BYTES = 4096;
const MAX_NODES = 30;
const MAX_ACCOUNT_BYTES = 12000;
let pep: PepServer;

beforeAll(async () => {
  pep = await startPepServer({
    pep: { maxItemsPerNode: MAX_ITEMS, maxItemBytes: MAX_ITEM_BYTES, maxNodesPerAccount: MAX_NODES, maxBytesPerAccount: MAX_ACCOUNT_BYTES },
    users: ['bob', 'carol', 'hoarder', 'heavy', 'gone'],
    contacts: [['bob', []]],
  });
});

afterAll(async () => pep?.stop());

describe('XEP-0163 §8 / XEP-0030: what a client finds on its account', () => {
  it('XEP-0163 §8: disco#info to the bare JID shows identity pubsub/pep, the XEP-0060 features and urn:xmpp:sid:0', async () => {
    const answer = await iq(pep.alice.client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    const query = answer.getChild('query', 'http://jabber.org/protocol/disco#info')!;
    expect(query.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`)).toEqual(expect.arrayContaining(['account/registered', 'pubsub/pep']));
    const features = query.getChildren('feature').map((f) => f.attrs.var);
    const wanted = ['publish', 'publish-options', 'persistent-items', 'auto-create', 'filtered-notifications', 'retrieve-items', 'retract-items', 'delete-items', 'delete-nodes', 'create-nodes', 'subscribe', 'config-node', 'config-node-max', 'access-open', 'access-presence', 'access-whitelist', 'last-published', 'purge-nodes'];
    expect(features).toEqual(expect.arrayContaining([...wanted.map((f) => `${NS_PUBSUB}#${f}`), 'urn:xmpp:sid:0']));
  });

  it('XEP-0163 §8 note: disco#items lists only the nodes the asker may access', async () => {
    await pep.publish('urn:example:disco-open', '1', { 'pubsub#access_model': 'open' });
    await pep.publish('urn:example:disco-presence', '1');
    const carol = await pep.login('carol', 'x');
    const bob = await pep.login('bob', 'x');
    const nodesFor = async (client: XmlClient) =>
      (await iq(client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#items'/>")).getChild('query')!.getChildren('item').map((i) => i.attrs.node);
    expect(await nodesFor(carol.client)).toContain('urn:example:disco-open');
    expect(await nodesFor(carol.client)).not.toContain('urn:example:disco-presence');
    expect(await nodesFor(bob.client)).toEqual(expect.arrayContaining(['urn:example:disco-open', 'urn:example:disco-presence']));
    carol.client.destroy();
    bob.client.destroy();
  });
});

describe('XEP-0060 §7.1 publish and §6.5 retrieve', () => {
  it('XEP-0163 §3 / XEP-0060 §7.1.2: publishing auto-creates the node and answers with the item id', async () => {
    const answer = await pep.publish('urn:example:auto', 'first');
    expect(answer.attrs.type).toBe('result');
    expect(answer.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id).toBe('first');
    const got = await pep.items(pep.alice.client, 'urn:example:auto');
    expect(itemIds(got)).toEqual(['first']);
    expect(got.getChild('pubsub')?.getChild('items')?.getChild('item')?.getChild('entry', 'urn:example:pep')?.getText()).toBe('first');
  });

  it('XEP-0060 §7.1.3.6: a publish without an item gets bad-request with <item-required/>', async () => {
    const answer = await iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><publish node='urn:example:x'/></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'bad-request', pubsub: 'item-required' });
  });

  it('XEP-0060 §7.1.3.5: an item with two payloads gets bad-request with <invalid-payload/>', async () => {
    const answer = await iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><publish node='urn:example:x'><item id='1'><a xmlns='urn:a'/><b xmlns='urn:b'/></item></publish></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'bad-request', pubsub: 'invalid-payload' });
  });

  it('XEP-0060 §6.5.7: max_items returns the newest items; §6.5.8 by id returns the one asked', async () => {
    for (const id of ['a', 'b', 'c']) await pep.publish('urn:example:many', id, { 'pubsub#max_items': '5' });
    expect(itemIds(await pep.items(pep.alice.client, 'urn:example:many', ALICE, " max_items='2'"))).toEqual(['b', 'c']);
    const byId = await iq(pep.alice.client, 'get', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:many'><item id='a'/></items></pubsub>`);
    expect(itemIds(byId)).toEqual(['a']);
  });

  it('XEP-0060 §6.5.9.11: items of a node that does not exist: item-not-found', async () => {
    expect(pubsubErrorOf(await pep.items(pep.alice.client, 'urn:example:none')).condition).toBe('item-not-found');
  });

  it('XEP-0163 §1: only the account publishes to its own service (forbidden for others)', async () => {
    const bob = await pep.login('bob', 'x');
    const answer = await iq(bob.client, 'set', ALICE, publishXml('urn:example:auto', 'x', entryPayload('x')));
    expect(pubsubErrorOf(answer).condition).toBe('forbidden');
    bob.client.destroy();
  });
});

describe('XEP-0060 §7.1.5 publish-options and preconditions', () => {
  it('XEP-0060 §7.1.5: access_model=open on a new node creates it open', async () => {
    await pep.publish('urn:example:opts-open', '1', { 'pubsub#access_model': 'open' });
    expect((await pep.configOf('urn:example:opts-open'))['pubsub#access_model']).toEqual(['open']);
  });

  it('XEP-0060 §7.1.5: a precondition the existing node does not meet fails with conflict and <precondition-not-met/>, storing nothing', async () => {
    await pep.publish('urn:example:opts-pre', '1', { 'pubsub#access_model': 'open' });
    const answer = await pep.publish('urn:example:opts-pre', '2', { 'pubsub#access_model': 'whitelist' });
    expect(pubsubErrorOf(answer)).toMatchObject({ type: 'cancel', condition: 'conflict', pubsub: 'precondition-not-met' });
    expect(pubsubErrorOf(answer).text).toMatch(/pubsub#access_model/);
    expect(itemIds(await pep.items(pep.alice.client, 'urn:example:opts-pre'))).toEqual(['1']);
    // A met precondition publishes.
    expect((await pep.publish('urn:example:opts-pre', '3', { 'pubsub#access_model': 'open' })).attrs.type).toBe('result');
  });

  it('XEP-0060 §7.1.5: an unknown publish option is refused, not ignored', async () => {
    const answer = await pep.publish('urn:example:opts-unknown', '1', { 'pubsub#made_up': '1' });
    expect(pubsubErrorOf(answer).condition).toBe('not-acceptable');
    expect(pubsubErrorOf(await pep.items(pep.alice.client, 'urn:example:opts-unknown')).condition).toBe('item-not-found');
  });

  it('XEP-0060 §16.4.4 persist_items=false: only the newest item is kept', async () => {
    await pep.publish('urn:example:transient', '1', { 'pubsub#persist_items': 'false', 'pubsub#max_items': '5' });
    await pep.publish('urn:example:transient', '2', { 'pubsub#persist_items': 'false', 'pubsub#max_items': '5' });
    expect(itemIds(await pep.items(pep.alice.client, 'urn:example:transient'))).toEqual(['2']);
  });

  it('XEP-0060 §16.4.4 max_items: the oldest items beyond it are dropped', async () => {
    for (const id of ['1', '2', '3']) await pep.publish('urn:example:two', id, { 'pubsub#max_items': '2' });
    expect(itemIds(await pep.items(pep.alice.client, 'urn:example:two'))).toEqual(['2', '3']);
  });

  it("XEP-0060 §7.1.5 (config-node-max): max_items='max' is the server's limit, and matches it as a precondition", async () => {
    await pep.publish('urn:example:max', '1', { 'pubsub#max_items': 'max' });
    expect((await pep.configOf('urn:example:max'))['pubsub#max_items']).toEqual([String(MAX_ITEMS)]);
    expect((await pep.publish('urn:example:max', '2', { 'pubsub#max_items': 'max' })).attrs.type).toBe('result');
    expect(pubsubErrorOf(await pep.publish('urn:example:max', '3', { 'pubsub#max_items': '2' }))).toMatchObject({ condition: 'conflict', pubsub: 'precondition-not-met' });
  });

  it('XEP-0060 §16.4.4 max_items above the server limit is not-acceptable, naming the limit', async () => {
    const answer = await pep.publish('urn:example:too-many', '1', { 'pubsub#max_items': String(MAX_ITEMS + 1) });
    expect(pubsubErrorOf(answer).condition).toBe('not-acceptable');
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ITEMS));
  });
});

describe('XEP-0060 §8 owner use cases', () => {
  it('XEP-0060 §8.2: the configuration form shows the node settings, and a submitted form changes them', async () => {
    await pep.publish('urn:example:conf', '1');
    const before = await pep.configOf('urn:example:conf');
    expect(before['pubsub#access_model']).toEqual(['presence']);
    expect(before['pubsub#send_last_published_item']).toEqual(['on_sub_and_presence']);
    expect((await pep.configure('urn:example:conf', { 'pubsub#access_model': 'open', 'pubsub#max_items': '3' })).attrs.type).toBe('result');
    const after = await pep.configOf('urn:example:conf');
    expect(after['pubsub#access_model']).toEqual(['open']);
    expect(after['pubsub#max_items']).toEqual(['3']);
  });

  it('XEP-0060 §8.1: creating an existing node is a conflict; §8.1.2.3 no instant nodes (nodeid-required)', async () => {
    const create = (attrs: string) => iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><create${attrs}/></pubsub>`);
    expect((await create(" node='urn:example:created'")).attrs.type).toBe('result');
    expect(pubsubErrorOf(await create(" node='urn:example:created'")).condition).toBe('conflict');
    expect(pubsubErrorOf(await create(''))).toMatchObject({ condition: 'not-acceptable', pubsub: 'nodeid-required' });
  });

  it('XEP-0060 §4.6: a use case not offered gets feature-not-implemented with <unsupported feature/>', async () => {
    const answer = await iq(pep.alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB}'><subscriptions/></pubsub>`);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'feature-not-implemented', pubsub: 'unsupported' });
    expect(answer.getChild('error')?.getChild('unsupported')?.attrs.feature).toBe('retrieve-subscriptions');
  });
});

describe('limits (module options)', () => {
  it(`XEP-0060 §7.1.3.4: an item above maxItemBytes (${MAX_ITEM_BYTES}) gets not-acceptable with <payload-too-big/>`, async () => {
    const answer = await iq(pep.alice.client, 'set', undefined, publishXml('urn:example:big', '1', entryPayload('x'.repeat(MAX_ITEM_BYTES))));
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'not-acceptable', pubsub: 'payload-too-big' });
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ITEM_BYTES));
  });

  it(`maxNodesPerAccount (${MAX_NODES}): one node more gets policy-violation with <max-nodes-exceeded/>`, async () => {
    const hoarder = await pep.login('hoarder', 'x');
    for (let n = 0; n < MAX_NODES; n++) expect((await pep.publish(`urn:example:node-${n}`, '1', undefined, hoarder.client)).attrs.type).toBe('result');
    const answer = await pep.publish('urn:example:one-more', '1', undefined, hoarder.client);
    expect(pubsubErrorOf(answer)).toMatchObject({ condition: 'policy-violation', pubsub: 'max-nodes-exceeded' });
    // Publishing to an existing node still works.
    expect((await pep.publish('urn:example:node-0', '2', undefined, hoarder.client)).attrs.type).toBe('result');
    hoarder.client.destroy();
  });

  it(`maxBytesPerAccount (${MAX_ACCOUNT_BYTES}): a publish that would take the account past it gets policy-violation, storing nothing`, async () => {
    const heavy = await pep.login('heavy', 'x');
    const chunk = 'x'.repeat(3500);
    for (const n of [1, 2, 3]) expect((await iq(heavy.client, 'set', undefined, publishXml(`urn:example:heavy-${n}`, '1', entryPayload(chunk)))).attrs.type).toBe('result');
    const answer = await iq(heavy.client, 'set', undefined, publishXml('urn:example:heavy-4', '1', entryPayload(chunk)));
    expect(pubsubErrorOf(answer).condition).toBe('policy-violation');
    expect(pubsubErrorOf(answer).text).toContain(String(MAX_ACCOUNT_BYTES));
    expect(itemIds(await pep.items(heavy.client, 'urn:example:heavy-4', 'heavy@localhost'))).toEqual([]);
    // Replacing an item with one of the same size still fits.
    expect((await iq(heavy.client, 'set', undefined, publishXml('urn:example:heavy-1', '1', entryPayload(chunk)))).attrs.type).toBe('result');
    heavy.client.destroy();
  });

  it('an account deleted with `herald user del` takes its PEP nodes with it', async () => {
    const gone = await pep.login('gone', 'x');
    await pep.publish('urn:example:mine', '1', { 'pubsub#access_model': 'open' }, gone.client);
    gone.client.destroy();
    expect((await pep.server.cli(['user', 'del', 'gone@localhost', '--yes'])).code).toBe(0);
    await pep.server.addUser('gone@localhost', 'pw');
    expect(pubsubErrorOf(await pep.items(pep.alice.client, 'urn:example:mine', 'gone@localhost')).condition).toBe('item-not-found');
  });
});
