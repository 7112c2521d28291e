// XEP-0163 Personal Eventing Protocol over real sockets: XEP-0060 §4.5 access models as a
// stranger and as contacts see them, and XEP-0163 §4.3 notifications (filtered by caps, last
// published item, retract, purge and delete, explicit subscriptions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nothingBefore } from '../harness/im.js';
import { iq, isEventFor, itemIds, NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_OWNER, pubsubErrorOf } from '../harness/pep.js';
import { ALICE, startPepServer, type PepServer } from '../harness/pep-server.js';

let pep: PepServer;

beforeAll(async () => {
  pep = await startPepServer({ pep: {}, users: ['bob', 'carol', 'erin'], contacts: [['bob', ['Family']], ['erin', []]] });
});

afterAll(async () => pep?.stop());

describe('XEP-0060 §4.5 access models, as a stranger and as contacts see them', () => {
  it('XEP-0060 §6.5.9.3: presence (the default): a stranger gets not-authorized with <presence-subscription-required/>, a subscribed contact gets the items', async () => {
    await pep.publish('urn:example:presence', '1');
    const carol = await pep.login('carol', 'x');
    const bob = await pep.login('bob', 'x');
    expect(pubsubErrorOf(await pep.items(carol.client, 'urn:example:presence'))).toMatchObject({ type: 'auth', condition: 'not-authorized', pubsub: 'presence-subscription-required' });
    expect(itemIds(await pep.items(bob.client, 'urn:example:presence'))).toEqual(['1']);
    carol.client.destroy();
    bob.client.destroy();
  });

  it('XEP-0060 §4.5 open: anyone gets the items', async () => {
    await pep.publish('urn:example:open', '1', { 'pubsub#access_model': 'open' });
    const carol = await pep.login('carol', 'x');
    expect(itemIds(await pep.items(carol.client, 'urn:example:open'))).toEqual(['1']);
    carol.client.destroy();
  });

  it('XEP-0060 §6.5.9.4: roster: a contact outside the allowed groups gets not-authorized with <not-in-roster-group/>', async () => {
    await pep.publish('urn:example:roster', '1', { 'pubsub#access_model': 'roster', 'pubsub#roster_groups_allowed': ['Family'] });
    const bob = await pep.login('bob', 'x');
    const erin = await pep.login('erin', 'x');
    expect(itemIds(await pep.items(bob.client, 'urn:example:roster'))).toEqual(['1']);
    expect(pubsubErrorOf(await pep.items(erin.client, 'urn:example:roster'))).toMatchObject({ condition: 'not-authorized', pubsub: 'not-in-roster-group' });
    bob.client.destroy();
    erin.client.destroy();
  });

  it('XEP-0060 §6.5.9.5 / §8.9: whitelist: not-allowed with <closed-node/> until the owner affiliates the JID', async () => {
    await pep.publish('urn:example:whitelist', '1', { 'pubsub#access_model': 'whitelist' });
    const bob = await pep.login('bob', 'x');
    expect(pubsubErrorOf(await pep.items(bob.client, 'urn:example:whitelist'))).toMatchObject({ condition: 'not-allowed', pubsub: 'closed-node' });
    const set = await iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><affiliations node='urn:example:whitelist'><affiliation jid='bob@localhost' affiliation='member'/></affiliations></pubsub>`);
    expect(set.attrs.type).toBe('result');
    const listed = await iq(pep.alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><affiliations node='urn:example:whitelist'/></pubsub>`);
    expect(listed.getChild('pubsub')!.getChild('affiliations')!.getChildren('affiliation').map((a) => `${a.attrs.jid}=${a.attrs.affiliation}`)).toEqual([
      `${ALICE}=owner`,
      'bob@localhost=member',
    ]);
    expect(itemIds(await pep.items(bob.client, 'urn:example:whitelist'))).toEqual(['1']);
    bob.client.destroy();
  });

  it('RFC 6121 §8.5.1: pubsub to an account that does not exist answers service-unavailable', async () => {
    expect(pubsubErrorOf(await pep.items(pep.alice.client, 'urn:example:open', 'nobody@localhost')).condition).toBe('service-unavailable');
  });
});

describe('XEP-0163 §4.3 notifications', () => {
  it('XEP-0163 §4.3.1 / XEP-0060 §9.2: only resources whose caps include <node>+notify get the headline event, own resources included', async () => {
    const node = 'urn:example:filtered';
    const wanting = await pep.online('bob', 'wanting', [node]);
    const indifferent = await pep.online('bob', 'indifferent', ['urn:example:other']);
    const aliceWanting = await pep.online('alice', 'phone', [node]);
    await pep.publish(node, 'n1');
    const event = await wanting.client.next(isEventFor(ALICE, node));
    expect(event.attrs.type).toBe('headline');
    expect(itemIds(event)).toEqual(['n1']);
    await aliceWanting.client.next(isEventFor(ALICE, node));
    expect(await nothingBefore(indifferent.client, isEventFor(ALICE, node))).toBe(true);
    for (const s of [wanting, indifferent, aliceWanting]) s.client.destroy();
  });

  it('XEP-0163 §4.3.1: a stranger interested in the node gets nothing from a presence node', async () => {
    const node = 'urn:example:not-for-strangers';
    const carol = await pep.online('carol', 'x', [node]);
    await pep.publish(node, '1');
    expect(await nothingBefore(carol.client, isEventFor(ALICE, node))).toBe(true);
    carol.client.destroy();
  });

  it('XEP-0060 §4.5: notifications follow the access model: roster groups and the whitelist decide which contacts hear', async () => {
    const rosterNode = 'urn:example:notify-roster';
    const whitelistNode = 'urn:example:notify-whitelist';
    await pep.publish(rosterNode, '0', { 'pubsub#access_model': 'roster', 'pubsub#roster_groups_allowed': ['Family'] });
    await pep.publish(whitelistNode, '0', { 'pubsub#access_model': 'whitelist' });
    const bob = await pep.online('bob', 'models', [rosterNode, whitelistNode]);
    const erin = await pep.online('erin', 'models', [rosterNode, whitelistNode]);
    await bob.client.next(isEventFor(ALICE, rosterNode)); // last item on presence: Family may see it
    await pep.publish(rosterNode, '1');
    await pep.publish(whitelistNode, '1');
    expect(itemIds(await bob.client.next((el) => isEventFor(ALICE, rosterNode)(el) && itemIds(el)[0] === '1'))).toEqual(['1']);
    expect(await nothingBefore(bob.client, isEventFor(ALICE, whitelistNode))).toBe(true);
    expect(await nothingBefore(erin.client, (el) => isEventFor(ALICE, rosterNode)(el) || isEventFor(ALICE, whitelistNode)(el))).toBe(true);
    bob.client.destroy();
    erin.client.destroy();
  });

  it('XEP-0163 §4.3.3: a newly available interested resource gets the last published item, with a delay stamp', async () => {
    const node = 'urn:example:last';
    await pep.publish(node, 'old', { 'pubsub#max_items': '2' });
    await pep.publish(node, 'newest', { 'pubsub#max_items': '2' });
    const bob = await pep.online('bob', 'late', [node]);
    const event = await bob.client.next(isEventFor(ALICE, node));
    expect(itemIds(event)).toEqual(['newest']);
    expect(event.getChild('delay', 'urn:xmpp:delay')?.attrs.from).toBe(ALICE);
    bob.client.destroy();
  });

  it('XEP-0060 §16.4.4 send_last_published_item=never: nothing on initial presence', async () => {
    const node = 'urn:example:never';
    await pep.publish(node, '1', { 'pubsub#send_last_published_item': 'never' });
    const bob = await pep.online('bob', 'never', [node]);
    expect(await nothingBefore(bob.client, isEventFor(ALICE, node))).toBe(true);
    bob.client.destroy();
  });

  it('XEP-0060 §7.2.2.1: retracting notifies interested contacts when notify_retract is on, and not when it is off', async () => {
    const on = 'urn:example:retract-on';
    const off = 'urn:example:retract-off';
    await pep.publish(on, 'r1');
    await pep.publish(off, 'r1', { 'pubsub#notify_retract': '0' });
    const bob = await pep.online('bob', 'retract', [on, off]);
    await bob.client.next(isEventFor(ALICE, on));
    await bob.client.next(isEventFor(ALICE, off));
    const retract = (node: string) => iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><retract node='${node}'><item id='r1'/></retract></pubsub>`);
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
    await pep.publish(node, '1');
    const bob = await pep.online('bob', 'purge', [node]);
    await bob.client.next(isEventFor(ALICE, node));
    const isOwnerEvent = (name: string) => (el: { name: string; attrs: Record<string, string>; getChild: (n: string, ns?: string) => any }) =>
      el.name === 'message' && el.attrs.from === ALICE && el.getChild('event', NS_PUBSUB_EVENT)?.getChild(name)?.attrs.node === node;
    await iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><purge node='${node}'/></pubsub>`);
    await bob.client.next(isOwnerEvent('purge'));
    expect(itemIds(await pep.items(pep.alice.client, node))).toEqual([]);
    await iq(pep.alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><delete node='${node}'/></pubsub>`);
    await bob.client.next(isOwnerEvent('delete'));
    expect(pubsubErrorOf(await pep.items(pep.alice.client, node)).condition).toBe('item-not-found');
    bob.client.destroy();
  });

  it('XEP-0060 §6.1 explicit subscription by a stranger to an open node: the last item at once, then new ones', async () => {
    const node = 'urn:example:explicit';
    await pep.publish(node, '1', { 'pubsub#access_model': 'open' });
    const carol = await pep.login('carol', 'sub');
    const answer = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><subscribe node='${node}' jid='${carol.jid}'/></pubsub>`);
    expect(answer.getChild('pubsub', NS_PUBSUB)?.getChild('subscription')?.attrs.subscription).toBe('subscribed');
    expect(itemIds(await carol.client.next(isEventFor(ALICE, node)))).toEqual(['1']);
    await pep.publish(node, '2');
    expect(itemIds(await carol.client.next(isEventFor(ALICE, node)))).toEqual(['2']);
    const other = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><subscribe node='${node}' jid='bob@localhost'/></pubsub>`);
    expect(pubsubErrorOf(other)).toMatchObject({ condition: 'bad-request', pubsub: 'invalid-jid' });
    const off = await iq(carol.client, 'set', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><unsubscribe node='${node}' jid='${carol.jid}'/></pubsub>`);
    expect(off.attrs.type).toBe('result');
    carol.client.destroy();
  });
});
