// XEP-0060 §5 node discovery as PEP uses it (disco#info on a node with its meta-data form,
// disco#items on a node), and §6.5.4 paging of items with XEP-0059 Result Set Management.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '../../src/xml/element.js';
import { iq, itemIds, NS_PUBSUB, pubsubErrorOf } from '../harness/pep.js';
import { ALICE, startPepServer, type PepServer } from '../harness/pep-server.js';
import type { XmlClient } from '../harness/xml-client.js';

const NS_INFO = 'http://jabber.org/protocol/disco#info';
const NS_ITEMS = 'http://jabber.org/protocol/disco#items';
const NS_RSM = 'http://jabber.org/protocol/rsm';
let pep: PepServer;

beforeAll(async () => {
  pep = await startPepServer({ pep: {}, users: ['bob', 'carol'], contacts: [['bob', []]] });
  await pep.publish('urn:example:presence-node', 'p1', { 'pubsub#title': 'Mood' });
  await pep.publish('urn:example:open-node', 'o1', { 'pubsub#access_model': 'open' });
  for (const id of ['1', '2', '3', '4', '5']) await pep.publish('urn:example:paged', id, { 'pubsub#access_model': 'open', 'pubsub#max_items': '10' });
});

afterAll(async () => pep?.stop());

const nodeInfo = (client: XmlClient, node: string) => iq(client, 'get', ALICE, `<query xmlns='${NS_INFO}' node='${node}'/>`);

function metaData(answer: Element): Record<string, string[]> {
  const form = answer.getChild('query', NS_INFO)?.getChildren('x').find((x) => x.getChildren('field').some((f) => f.attrs.var === 'FORM_TYPE' && f.getChildText('value') === `${NS_PUBSUB}#meta-data`));
  return Object.fromEntries((form?.getChildren('field') ?? []).map((f) => [String(f.attrs.var), f.getChildren('value').map((v) => v.getText())]));
}

describe('XEP-0060 §5 discovery of an account’s nodes', () => {
  it('XEP-0060 §5.3/§5.4: disco#info on a node gives identity pubsub/leaf and the pubsub#meta-data form', async () => {
    const answer = await nodeInfo(pep.alice.client, 'urn:example:presence-node');
    expect(answer.attrs.type).toBe('result');
    const query = answer.getChild('query', NS_INFO)!;
    expect(query.attrs.node).toBe('urn:example:presence-node');
    expect(query.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`)).toEqual(['pubsub/leaf']);
    expect(query.getChildren('feature').map((f) => f.attrs.var)).toContain(NS_PUBSUB);
    expect(metaData(answer)).toMatchObject({
      'pubsub#title': ['Mood'],
      'pubsub#type': ['urn:example:pep'],
      'pubsub#owner': [ALICE],
      'pubsub#access_model': ['presence'],
    });
  });

  it('XEP-0163 §8 / XEP-0030 §3.2: a node the asker may not access, or that does not exist, is item-not-found; an open one is described to anyone', async () => {
    const carol = await pep.login('carol', 'disco');
    const bob = await pep.login('bob', 'disco');
    expect(pubsubErrorOf(await nodeInfo(carol.client, 'urn:example:presence-node')).condition).toBe('item-not-found');
    expect(pubsubErrorOf(await nodeInfo(carol.client, 'urn:example:no-such-node')).condition).toBe('item-not-found');
    expect(metaData(await nodeInfo(carol.client, 'urn:example:open-node'))['pubsub#access_model']).toEqual(['open']);
    expect(metaData(await nodeInfo(bob.client, 'urn:example:presence-node'))['pubsub#owner']).toEqual([ALICE]);
    carol.client.destroy();
    bob.client.destroy();
  });

  it('XEP-0060 §5.5: disco#items on a node lists its item ids as names, to those who may access it', async () => {
    const carol = await pep.login('carol', 'items');
    const answer = await iq(carol.client, 'get', ALICE, `<query xmlns='${NS_ITEMS}' node='urn:example:paged'/>`);
    expect(answer.getChild('query', NS_ITEMS)!.getChildren('item').map((i) => `${i.attrs.jid} ${i.attrs.name}`)).toEqual(['1', '2', '3', '4', '5'].map((id) => `${ALICE} ${id}`));
    expect(pubsubErrorOf(await iq(carol.client, 'get', ALICE, `<query xmlns='${NS_ITEMS}' node='urn:example:presence-node'/>`)).condition).toBe('item-not-found');
    carol.client.destroy();
  });
});

describe('XEP-0060 §6.5.4 with XEP-0059 Result Set Management', () => {
  const page = (client: XmlClient, set: string) =>
    iq(client, 'get', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:paged'/><set xmlns='${NS_RSM}'>${set}</set></pubsub>`);
  const setOf = (answer: Element) => {
    const set = answer.getChild('pubsub', NS_PUBSUB)?.getChild('set', NS_RSM);
    return { first: set?.getChildText('first') ?? undefined, index: set?.getChild('first')?.attrs.index, last: set?.getChildText('last') ?? undefined, count: set?.getChildText('count') ?? undefined };
  };

  it('XEP-0059 §2.1/§2.2: <max/> gives the first page with first/last/count, <after/> the next', async () => {
    const first = await page(pep.alice.client, '<max>2</max>');
    expect(itemIds(first)).toEqual(['1', '2']);
    expect(setOf(first)).toEqual({ first: '1', index: '0', last: '2', count: '5' });
    const next = await page(pep.alice.client, '<max>2</max><after>2</after>');
    expect(itemIds(next)).toEqual(['3', '4']);
    expect(setOf(next)).toEqual({ first: '3', index: '2', last: '4', count: '5' });
    const end = await page(pep.alice.client, '<max>2</max><after>4</after>');
    expect(itemIds(end)).toEqual(['5']);
  });

  it('XEP-0059 §2.3/§2.5: an empty <before/> gives the newest page, <before>id</before> the one before it', async () => {
    const carol = await pep.login('carol', 'rsm');
    const newest = await page(carol.client, '<max>2</max><before/>');
    expect(itemIds(newest)).toEqual(['4', '5']);
    expect(setOf(newest)).toEqual({ first: '4', index: '3', last: '5', count: '5' });
    expect(itemIds(await page(carol.client, '<max>2</max><before>4</before>'))).toEqual(['2', '3']);
    carol.client.destroy();
  });

  it('XEP-0059 §2.4/§2.6: <index/> jumps to a position; <max>0</max> gives only the count', async () => {
    expect(itemIds(await page(pep.alice.client, '<max>2</max><index>3</index>'))).toEqual(['4', '5']);
    const counted = await page(pep.alice.client, '<max>0</max>');
    expect(itemIds(counted)).toEqual([]);
    expect(setOf(counted)).toEqual({ first: undefined, index: undefined, last: undefined, count: '5' });
  });

  it('XEP-0059 §2.6: an <after/> naming no item is item-not-found; a <max/> that is not a number is bad-request', async () => {
    expect(pubsubErrorOf(await page(pep.alice.client, '<max>2</max><after>nope</after>')).condition).toBe('item-not-found');
    const bad = pubsubErrorOf(await page(pep.alice.client, '<max>two</max>'));
    expect(bad.condition).toBe('bad-request');
    expect(bad.text).toMatch(/max/);
  });

  it('XEP-0059 §7: the account advertises http://jabber.org/protocol/rsm', async () => {
    const answer = await iq(pep.alice.client, 'get', ALICE, `<query xmlns='${NS_INFO}'/>`);
    expect(answer.getChild('query', NS_INFO)!.getChildren('feature').map((f) => f.attrs.var)).toContain(NS_RSM);
  });
});
