// Contract for ArchiveRepository (XEP-0313 archives). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ArchiveQuery, ArchivedMessage, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';

const message = (n: number, extra: Partial<ArchivedMessage> = {}): ArchivedMessage => ({
  id: `id-${n}`,
  with: n % 2 === 0 ? `${BOB}/phone` : 'carol@example.net/laptop',
  direction: n % 3 === 0 ? 'out' : 'in',
  messageId: `m${n}`,
  stanza: `<message xmlns="jabber:client"><body>${n}</body></message>`,
  timestamp: 1_000 + n,
  ...extra,
});

const query = (extra: Partial<ArchiveQuery> = {}): ArchiveQuery => ({ max: 100, fromEnd: false, ...extra });

export function runArchiveContract(current: () => Storage): void {
  describe('archive', () => {
    let storage: Storage;
    const fill = async (count: number, account = ALICE): Promise<void> => {
      for (let n = 1; n <= count; n++) await storage.archive.append(account, message(n));
    };
    const ids = async (q: Partial<ArchiveQuery>): Promise<string[] | undefined> =>
      (await storage.archive.query(ALICE, query(q)))?.messages.map((m) => m.id);

    beforeEach(() => {
      storage = current();
    });

    it('starts empty: no messages, complete, no bounds', async () => {
      expect(await storage.archive.query(ALICE, query())).toEqual({ messages: [], complete: true });
      expect(await storage.archive.bounds(ALICE)).toEqual({});
      expect(await storage.archive.count(ALICE)).toBe(0);
    });

    it('keeps every field, and stores an id once per account', async () => {
      const first = message(1);
      expect(await storage.archive.append(ALICE, first)).toBe(true);
      expect(await storage.archive.append(ALICE, { ...message(2), id: 'id-1' })).toBe(false);
      expect(await storage.archive.append(BOB, first)).toBe(true);
      const noMessageId = message(3);
      delete noMessageId.messageId;
      await storage.archive.append(ALICE, noMessageId);
      expect((await storage.archive.query(ALICE, query()))?.messages).toEqual([first, noMessageId]);
    });

    it('appends made together are all stored, in the order they were made', async () => {
      const results = await Promise.all([1, 2, 3, 4].map((n) => storage.archive.append(ALICE, message(n))));
      expect(results).toEqual([true, true, true, true]);
      expect(await ids({})).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
    });

    it('appends made together over two accounts: each keeps its order, an earlier timestamp is raised, a repeated id is stored once', async () => {
      await storage.archive.append(ALICE, message(5, { timestamp: 9_000 }));
      const results = await Promise.all([
        storage.archive.append(ALICE, message(1, { timestamp: 8_000 })),
        storage.archive.append(BOB, message(2, { timestamp: 1_000 })),
        storage.archive.append(ALICE, message(3, { timestamp: 12_000 })),
        storage.archive.append(ALICE, message(4, { id: 'id-1', timestamp: 13_000 })),
        storage.archive.append(ALICE, message(6, { timestamp: 10_000 })),
        storage.archive.append(BOB, message(5, { timestamp: 900 })),
      ]);
      expect(results).toEqual([true, true, true, false, true, true]);
      const alice = (await storage.archive.query(ALICE, query()))?.messages;
      expect(alice?.map((m) => [m.id, m.timestamp, m.messageId])).toEqual([['id-5', 9_000, 'm5'], ['id-1', 9_000, 'm1'], ['id-3', 12_000, 'm3'], ['id-6', 12_000, 'm6']]);
      const bob = (await storage.archive.query(BOB, query()))?.messages;
      expect(bob?.map((m) => [m.id, m.timestamp])).toEqual([['id-2', 1_000], ['id-5', 1_000]]);
    });

    it('orders by arrival, not by id; a timestamp earlier than the newest is raised to it', async () => {
      await storage.archive.append(ALICE, message(9, { timestamp: 5_000 }));
      await storage.archive.append(ALICE, message(1, { timestamp: 7_000 }));
      await storage.archive.append(ALICE, message(2, { timestamp: 6_000 }));
      await storage.archive.append(BOB, message(3, { timestamp: 1_000 }));
      const page = await storage.archive.query(ALICE, query());
      expect(page?.messages.map((m) => [m.id, m.timestamp])).toEqual([['id-9', 5_000], ['id-1', 7_000], ['id-2', 7_000]]);
      expect(await ids({ start: 7_000 })).toEqual(['id-1', 'id-2']);
      expect(await ids({ end: 6_999 })).toEqual(['id-9']);
      expect((await storage.archive.query(BOB, query()))?.messages[0]?.timestamp).toBe(1_000);
    });

    it('pages forwards from the oldest and backwards from the newest, each message once', async () => {
      await fill(25);
      const forward: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await storage.archive.query(ALICE, query({ max: 10, after: after ? [after] : [] }));
        forward.push(...(page?.messages.map((m) => m.id) ?? []));
        after = page?.messages.at(-1)?.id;
        if (page?.complete) break;
      }
      const all = Array.from({ length: 25 }, (_, i) => `id-${i + 1}`);
      expect(forward).toEqual(all);

      const backward: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await storage.archive.query(ALICE, query({ max: 10, fromEnd: true, before: before ? [before] : [] }));
        backward.push(page?.messages.map((m) => m.id) ?? []);
        before = page?.messages[0]?.id;
        if (page?.complete) break;
      }
      expect(backward).toEqual([all.slice(15), all.slice(5, 15), all.slice(0, 5)]);
    });

    it('a page exactly as large as what is left is complete', async () => {
      await fill(10);
      expect((await storage.archive.query(ALICE, query({ max: 10 })))?.complete).toBe(true);
      expect((await storage.archive.query(ALICE, query({ max: 9 })))?.complete).toBe(false);
    });

    it('filters by a bare JID (any resource) or a full JID (only it)', async () => {
      await fill(6);
      await storage.archive.append(ALICE, message(7, { with: `${BOB}/laptop` }));
      expect(await ids({ with: BOB })).toEqual(['id-2', 'id-4', 'id-6', 'id-7']);
      expect(await ids({ with: `${BOB}/laptop` })).toEqual(['id-7']);
      expect(await ids({ with: BOB, fromEnd: true, max: 2 })).toEqual(['id-6', 'id-7']);
    });

    it('filters by inclusive start and end, alone, together and with other bounds', async () => {
      await fill(6);
      expect(await ids({ start: 1_002, end: 1_004 })).toEqual(['id-2', 'id-3', 'id-4']);
      expect(await ids({ start: 1_005 })).toEqual(['id-5', 'id-6']);
      expect(await ids({ end: 1_001 })).toEqual(['id-1']);
      expect(await ids({ start: 1_007 })).toEqual([]);
      expect(await ids({ end: 1_000 })).toEqual([]);
      expect(await ids({ start: 1_004, end: 1_003 })).toEqual([]);
      expect(await ids({ start: 1_001, end: 1_006, with: BOB, after: ['id-2'], fromEnd: true, max: 1 })).toEqual(['id-6']);
      expect(await ids({ start: 1_001, end: 1_004, with: BOB, fromEnd: true, max: 1 })).toEqual(['id-4']);
    });

    it('bounds by ids (exclusive), selects by ids, and reports an unknown id', async () => {
      await fill(6);
      expect(await ids({ after: ['id-2'], before: ['id-5'] })).toEqual(['id-3', 'id-4']);
      expect(await ids({ after: ['id-1', 'id-3'] })).toEqual(['id-4', 'id-5', 'id-6']);
      expect(await ids({ ids: ['id-5', 'id-2'] })).toEqual(['id-2', 'id-5']);
      expect(await ids({ ids: [] })).toEqual([]);
      expect(await ids({ after: ['nope'] })).toBeUndefined();
      expect(await ids({ before: ['nope'] })).toBeUndefined();
      expect(await ids({ ids: ['id-1', 'nope'] })).toBeUndefined();
      await storage.archive.append(BOB, message(99));
      expect(await ids({ after: ['id-99'] })).toBeUndefined(); // another account's id
    });

    it('finds the newest message by its own id within a conversation and direction, and replaces its stanza', async () => {
      await storage.archive.append(ALICE, message(2, { messageId: 'same' }));
      await storage.archive.append(ALICE, message(4, { messageId: 'same' }));
      expect((await storage.archive.findByMessageId(ALICE, BOB, 'in', 'same'))?.id).toBe('id-4');
      expect(await storage.archive.findByMessageId(ALICE, BOB, 'out', 'same')).toBeUndefined();
      expect(await storage.archive.findByMessageId(ALICE, 'carol@example.net', 'in', 'same')).toBeUndefined();
      expect(await storage.archive.replaceStanza(ALICE, 'id-4', '<message/>')).toBe(true);
      expect(await storage.archive.replaceStanza(ALICE, 'nope', '<message/>')).toBe(false);
      const page = await storage.archive.query(ALICE, query());
      expect(page?.messages.map((m) => [m.id, m.stanza, m.timestamp])).toEqual([
        ['id-2', message(2).stanza, 1_002],
        ['id-4', '<message/>', 1_004],
      ]);
    });

    it('reports first and last, and counts', async () => {
      await fill(3);
      expect(await storage.archive.bounds(ALICE)).toEqual({ first: { id: 'id-1', timestamp: 1_001 }, last: { id: 'id-3', timestamp: 1_003 } });
      expect(await storage.archive.count(ALICE)).toBe(3);
    });

    it("expires an account's messages older than the cut-off, and only that account's", async () => {
      await fill(5);
      await fill(5, BOB);
      expect(await storage.archive.expire(ALICE, 1_004)).toBe(3);
      expect(await storage.archive.expire(ALICE, 1_004)).toBe(0);
      expect(await ids({})).toEqual(['id-4', 'id-5']);
      expect(await ids({ after: ['id-4'] })).toEqual(['id-5']);
      expect(await storage.archive.count(BOB)).toBe(5);
    });

    it('deletes one account and nothing else; an expired or deleted id is never reused as a page bound', async () => {
      await fill(3);
      await fill(2, BOB);
      expect(await storage.archive.deleteAccount(ALICE)).toBe(3);
      expect(await storage.archive.count(ALICE)).toBe(0);
      expect(await storage.archive.count(BOB)).toBe(2);
      expect(await ids({ after: ['id-1'] })).toBeUndefined();
    });
  });
}
