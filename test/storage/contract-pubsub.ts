// Contract for PubsubRepository (XEP-0060 nodes, used for PEP). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PubsubNodeConfig, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const NODE = 'urn:xmpp:omemo:2:devices';

const config = (extra: Partial<PubsubNodeConfig> = {}): PubsubNodeConfig => ({
  accessModel: 'presence',
  rosterGroups: [],
  persistItems: true,
  maxItems: 10,
  sendLastPublishedItem: 'on_sub_and_presence',
  notifyRetract: true,
  ...extra,
});
/** Limits with room to spare in bytes. */
const keep = (n: number) => ({ keep: n, maxOwnerBytes: 1_000_000 });
const item = (id: string, payload = `<x xmlns="urn:test">${id}</x>`) => ({ id, payload, publisher: ALICE, publishedAt: 1_000 });

export function runPubsubContract(current: () => Storage): void {
  describe('pubsub', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });
    const ids = async (node = NODE, query?: { max?: number; olderThan?: number }) => (await storage.pubsub.items(ALICE, node, query)).map((i) => i.id);

    it('creates a node once, with its configuration, per owner', async () => {
      expect(await storage.pubsub.createNode(ALICE, NODE, config({ title: 'Devices' }), 10)).toBe('created');
      expect(await storage.pubsub.createNode(ALICE, NODE, config(), 10)).toBe('exists');
      expect(await storage.pubsub.getNode(ALICE, NODE)).toEqual({ node: NODE, config: config({ title: 'Devices' }) });
      expect(await storage.pubsub.getNode(BOB, NODE)).toBeUndefined();
      expect(await storage.pubsub.listNodes(BOB)).toEqual([]);
    });

    it("refuses a node beyond the owner's node limit ('full'), other owners unaffected", async () => {
      expect(await storage.pubsub.createNode(ALICE, 'b', config(), 2)).toBe('created');
      expect(await storage.pubsub.createNode(ALICE, 'a', config(), 2)).toBe('created');
      expect(await storage.pubsub.createNode(ALICE, 'c', config(), 2)).toBe('full');
      expect(await storage.pubsub.createNode(BOB, 'c', config(), 2)).toBe('created');
      expect((await storage.pubsub.listNodes(ALICE)).map((n) => n.node)).toEqual(['a', 'b']);
    });

    it('publishing to a missing node stores nothing', async () => {
      expect(await storage.pubsub.publish(ALICE, NODE, item('1'), keep(10))).toBe('no-node');
      expect(await storage.pubsub.items(ALICE, NODE)).toEqual([]);
    });

    it('lists items newest first, keeps payload text exact, and a republished id becomes newest', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      const text = '<list xmlns="urn:xmpp:omemo:2"><device id="1" label="ph\u{1F600}ne &amp; tab"/></list>';
      const first = await storage.pubsub.publish(ALICE, NODE, item('a', text), keep(10));
      const second = await storage.pubsub.publish(ALICE, NODE, item('b'), keep(10));
      expect(typeof second === 'object' && typeof first === 'object' && second.seq > first.seq).toBe(true);
      expect(await ids()).toEqual(['b', 'a']);
      expect((await storage.pubsub.itemsById(ALICE, NODE, ['a']))[0]).toMatchObject({ id: 'a', payload: text, publisher: ALICE, publishedAt: 1_000 });
      await storage.pubsub.publish(ALICE, NODE, item('a', '<x xmlns="urn:test">new</x>'), keep(10));
      expect(await ids()).toEqual(['a', 'b']);
      expect((await storage.pubsub.items(ALICE, NODE))[0]?.payload).toBe('<x xmlns="urn:test">new</x>');
    });

    it('publish keeps at most `keep` items, dropping the oldest in the same step', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      for (const id of ['1', '2', '3', '4']) await storage.pubsub.publish(ALICE, NODE, item(id), keep(3));
      expect(await ids()).toEqual(['4', '3', '2']);
      await storage.pubsub.publish(ALICE, NODE, item('5'), keep(1));
      expect(await ids()).toEqual(['5']);
    });

    it("refuses ('owner-full', nothing stored) a publish that would take the owner's payloads past maxOwnerBytes, counting UTF-8 bytes and not the item it replaces", async () => {
      await storage.pubsub.createNode(ALICE, 'n1', config(), 10);
      await storage.pubsub.createNode(ALICE, 'n2', config(), 10);
      const bytes = (id: string, n: number) => ({ ...item(id), payload: 'é'.repeat(n / 2) }); // é is 2 bytes
      const limits = { keep: 10, maxOwnerBytes: 100 };
      expect(await storage.pubsub.publish(ALICE, 'n1', bytes('a', 60), limits)).toHaveProperty('seq');
      expect(await storage.pubsub.publish(ALICE, 'n2', bytes('b', 50), limits)).toBe('owner-full');
      expect(await storage.pubsub.items(ALICE, 'n2')).toEqual([]);
      expect(await storage.pubsub.publish(ALICE, 'n2', bytes('b', 40), limits)).toHaveProperty('seq');
      expect(await storage.pubsub.ownerBytes(ALICE)).toBe(100);
      // Replacing 'a' (60 bytes) with 60 bytes fits: the old one no longer counts.
      expect(await storage.pubsub.publish(ALICE, 'n1', bytes('a', 60), limits)).toHaveProperty('seq');
      expect(await storage.pubsub.ownerBytes(BOB)).toBe(0);
      await storage.pubsub.retract(ALICE, 'n1', 'a');
      expect(await storage.pubsub.ownerBytes(ALICE)).toBe(40);
    });

    it('pages newest first with max and olderThan (keyset)', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      for (const id of ['1', '2', '3', '4', '5']) await storage.pubsub.publish(ALICE, NODE, item(id), keep(10));
      const page = await storage.pubsub.items(ALICE, NODE, { max: 2 });
      expect(page.map((i) => i.id)).toEqual(['5', '4']);
      expect(await ids(NODE, { max: 2, olderThan: page.at(-1)!.seq })).toEqual(['3', '2']);
      expect(await ids(NODE, { max: 0 })).toEqual([]);
    });

    it('itemsById returns the existing ones in the order asked', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      for (const id of ['1', '2', '3']) await storage.pubsub.publish(ALICE, NODE, item(id), keep(10));
      expect((await storage.pubsub.itemsById(ALICE, NODE, ['3', 'nope', '1'])).map((i) => i.id)).toEqual(['3', '1']);
    });

    it('lastItems gives the newest item of each node that has one', async () => {
      for (const node of ['n1', 'n2', 'n3']) await storage.pubsub.createNode(ALICE, node, config(), 10);
      await storage.pubsub.publish(ALICE, 'n2', item('x'), keep(10));
      await storage.pubsub.publish(ALICE, 'n1', item('a'), keep(10));
      await storage.pubsub.publish(ALICE, 'n1', item('b'), keep(10));
      expect((await storage.pubsub.lastItems(ALICE)).map(({ node, item: i }) => [node, i.id])).toEqual([
        ['n1', 'b'],
        ['n2', 'x'],
      ]);
    });

    it('retracts one item and purges all', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      for (const id of ['1', '2', '3']) await storage.pubsub.publish(ALICE, NODE, item(id), keep(10));
      expect(await storage.pubsub.retract(ALICE, NODE, '2')).toBe(true);
      expect(await storage.pubsub.retract(ALICE, NODE, '2')).toBe(false);
      expect(await ids()).toEqual(['3', '1']);
      expect(await storage.pubsub.purge(ALICE, NODE)).toBe(2);
      expect(await ids()).toEqual([]);
    });

    it('configuring replaces the configuration and trims to the new max_items', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      for (const id of ['1', '2', '3']) await storage.pubsub.publish(ALICE, NODE, item(id), keep(10));
      expect(await storage.pubsub.configureNode(ALICE, NODE, config({ maxItems: 1, accessModel: 'open' }))).toBe(true);
      expect((await storage.pubsub.getNode(ALICE, NODE))?.config).toEqual(config({ maxItems: 1, accessModel: 'open' }));
      expect(await ids()).toEqual(['3']);
      expect(await storage.pubsub.configureNode(ALICE, 'missing', config())).toBe(false);
    });

    it('keeps affiliations and subscriptions per node, and deleting the node deletes them', async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      expect(await storage.pubsub.setAffiliation(ALICE, NODE, BOB, 'member')).toBe(true);
      expect(await storage.pubsub.setAffiliation(ALICE, 'missing', BOB, 'member')).toBe(false);
      expect(await storage.pubsub.affiliations(ALICE, NODE)).toEqual([{ jid: BOB, affiliation: 'member' }]);
      await storage.pubsub.setAffiliation(ALICE, NODE, BOB, 'publisher');
      expect(await storage.pubsub.affiliations(ALICE, NODE)).toEqual([{ jid: BOB, affiliation: 'publisher' }]);
      await storage.pubsub.setAffiliation(ALICE, NODE, BOB, undefined);
      expect(await storage.pubsub.affiliations(ALICE, NODE)).toEqual([]);

      expect(await storage.pubsub.subscribe(ALICE, NODE, `${BOB}/phone`)).toBe(true);
      expect(await storage.pubsub.subscribe(ALICE, NODE, `${BOB}/phone`)).toBe(true);
      expect(await storage.pubsub.subscribe(ALICE, 'missing', BOB)).toBe(false);
      expect(await storage.pubsub.subscribers(ALICE, NODE)).toEqual([`${BOB}/phone`]);
      expect(await storage.pubsub.unsubscribe(ALICE, NODE, `${BOB}/phone`)).toBe(true);
      expect(await storage.pubsub.unsubscribe(ALICE, NODE, `${BOB}/phone`)).toBe(false);

      await storage.pubsub.subscribe(ALICE, NODE, BOB);
      await storage.pubsub.setAffiliation(ALICE, NODE, BOB, 'member');
      await storage.pubsub.publish(ALICE, NODE, item('1'), keep(10));
      expect(await storage.pubsub.deleteNode(ALICE, NODE)).toBe(true);
      expect(await storage.pubsub.deleteNode(ALICE, NODE)).toBe(false);
      // Recreated, it starts empty: nothing of the old node survives.
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      expect(await storage.pubsub.items(ALICE, NODE)).toEqual([]);
      expect(await storage.pubsub.subscribers(ALICE, NODE)).toEqual([]);
      expect(await storage.pubsub.affiliations(ALICE, NODE)).toEqual([]);
    });

    it("deleteAccount removes the owner's nodes only", async () => {
      await storage.pubsub.createNode(ALICE, NODE, config(), 10);
      await storage.pubsub.publish(ALICE, NODE, item('1'), keep(10));
      await storage.pubsub.createNode(BOB, NODE, config(), 10);
      await storage.pubsub.deleteAccount(ALICE);
      expect(await storage.pubsub.listNodes(ALICE)).toEqual([]);
      expect(await storage.pubsub.lastItems(ALICE)).toEqual([]);
      expect(await storage.pubsub.listNodes(BOB)).toHaveLength(1);
    });
  });
}
