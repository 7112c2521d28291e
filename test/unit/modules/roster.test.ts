import { afterEach, describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import type { RosterItem } from '../../../src/storage/types.js';
import { parseJid } from '../../../src/protocol/jid.js';
import { createInProcessCore, errorCondition, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';

const NS_ROSTER = 'jabber:iq:roster';
const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';

let core: InProcessCore;
afterEach(async () => core.close());

let ids = 0;
function get(ver?: string, to?: string): Element {
  return xml('iq', { type: 'get', id: `g${++ids}`, to }, xml('query', { xmlns: NS_ROSTER, ver }));
}
function set(items: Element | Element[], to?: string): Element {
  return xml('iq', { type: 'set', id: `s${++ids}`, to }, xml('query', { xmlns: NS_ROSTER }, items));
}
function item(attrs: Record<string, string>, ...groups: string[]): Element {
  return xml('item', attrs, groups.map((group) => xml('group', null, group)));
}

interface Push {
  from: string | undefined;
  to: string | undefined;
  ver: string | undefined;
  item: Record<string, string>;
  groups: string[];
}
function pushesIn(stanzas: Element[]): Push[] {
  return stanzas
    .filter((s) => s.name === 'iq' && s.attrs.type === 'set' && s.getChild('query', NS_ROSTER))
    .map((s) => {
      const query = s.getChild('query', NS_ROSTER) as Element;
      const entry = query.getChild('item') as Element;
      return { from: s.attrs.from, to: s.attrs.to, ver: query.attrs.ver, item: { ...entry.attrs }, groups: entry.getChildren('group').map((g) => g.getText()) };
    });
}
const resultOf = (stanzas: Element[], id: string | undefined) => stanzas.find((s) => s.name === 'iq' && s.attrs.id === id);
/** Everything the session received since last asked. */
const take = (session: FakeSession): Element[] => session.sent.splice(0);

async function interested(jid: string): Promise<FakeSession> {
  const session = await core.connect(jid);
  await core.send(session, get());
  take(session);
  return session;
}

function stored(account: string, contact: string): Promise<RosterItem | undefined> {
  return core.storage.roster.getItem(account, contact);
}

describe('roster management (RFC 6121 §2)', () => {
  it('RFC 6121 §2.1.3: a roster get returns every item with the roster version', async () => {
    core = await createInProcessCore();
    const alice = await core.connect(`${ALICE}/a`);
    const empty = get();
    const [first] = await core.send(alice, empty);
    expect(first?.attrs).toMatchObject({ type: 'result', id: empty.attrs.id });
    expect(first?.getChild('query', NS_ROSTER)?.attrs.ver).toBe('0');
    expect(first?.getChild('query', NS_ROSTER)?.getChildElements()).toHaveLength(0);

    await core.send(alice, set(item({ jid: BOB, name: 'Bob' }, 'Friends', 'Work')));
    const full = get();
    const reply = resultOf(await core.send(alice, full), full.attrs.id);
    const query = reply?.getChild('query', NS_ROSTER);
    expect(query?.attrs.ver).toBe('1');
    const items = query?.getChildren('item') ?? [];
    expect(items.map((i) => i.attrs)).toEqual([{ jid: BOB, name: 'Bob', subscription: 'none' }]);
    expect(items[0]?.getChildren('group').map((g) => g.getText())).toEqual(['Friends', 'Work']);
  });

  it('RFC 6121 §2.2: a get makes the resource interested, in the session registry too', async () => {
    core = await createInProcessCore();
    const alice = await core.connect(`${ALICE}/a`);
    expect((await core.sessions.byFullJid(`${ALICE}/a`))?.interested).toBe(false);
    await core.send(alice, get());
    expect(alice.interested).toBe(true);
    expect((await core.sessions.byFullJid(`${ALICE}/a`))?.interested).toBe(true);
  });

  it('RFC 6121 §2.1.6 / §2.3.2: a set is pushed to every interested resource, the sender included, and no other', async () => {
    core = await createInProcessCore();
    const a = await interested(`${ALICE}/a`);
    const b = await interested(`${ALICE}/b`);
    const quiet = await core.connect(`${ALICE}/quiet`);
    await core.send(quiet, xml('presence')); // available but never asked for the roster
    take(quiet);

    const request = set(item({ jid: BOB, name: 'Bob' }, 'Friends'));
    const toA = await core.send(a, request);
    expect(resultOf(toA, request.attrs.id)?.attrs).toMatchObject({ type: 'result', to: `${ALICE}/a` });
    const expected = { from: ALICE, ver: '1', item: { jid: BOB, name: 'Bob', subscription: 'none' }, groups: ['Friends'] };
    expect(pushesIn(toA)).toEqual([{ ...expected, to: `${ALICE}/a` }]);
    expect(pushesIn(take(b))).toEqual([{ ...expected, to: `${ALICE}/b` }]);
    expect(pushesIn(take(quiet))).toEqual([]);
  });

  it('RFC 6121 §2.4: an update replaces name and groups and keeps the subscription state', async () => {
    core = await createInProcessCore();
    await core.accounts.create(parseJid(ALICE), 'pw');
    await core.storage.roster.put(ALICE, { jid: BOB, name: 'Bob', subscription: 'to', ask: false, approved: false, groups: ['Old'] });
    const a = await interested(`${ALICE}/a`);
    const pushes = pushesIn(await core.send(a, set(item({ jid: BOB }, 'New'))));
    expect(pushes.map((p) => [p.item, p.groups])).toEqual([[{ jid: BOB, subscription: 'to' }, ['New']]]);
    expect(await stored(ALICE, BOB)).toEqual({ jid: BOB, subscription: 'to', ask: false, approved: false, groups: ['New'] });
  });

  it("RFC 6121 §2.1.2.5: a set's subscription (other than remove), ask and approved are ignored", async () => {
    core = await createInProcessCore();
    const a = await interested(`${ALICE}/a`);
    const request = set(item({ jid: BOB, subscription: 'both', ask: 'subscribe', approved: 'true' }));
    const replies = await core.send(a, request);
    expect(resultOf(replies, request.attrs.id)?.attrs.type).toBe('result');
    expect(pushesIn(replies).map((p) => p.item)).toEqual([{ jid: BOB, subscription: 'none' }]);
    expect(await stored(ALICE, BOB)).toMatchObject({ subscription: 'none', ask: false, approved: false });
  });

  it('RFC 6121 §3.1.1: an item naming a full JID is kept under the bare JID', async () => {
    core = await createInProcessCore();
    const a = await interested(`${ALICE}/a`);
    const pushes = pushesIn(await core.send(a, set(item({ jid: `${BOB}/phone`, name: 'Bob' }))));
    expect(pushes.map((p) => p.item.jid)).toEqual([BOB]);
    expect((await core.storage.roster.get(ALICE)).items.map((i) => i.jid)).toEqual([BOB]);
  });

  describe('RFC 6121 §2.3.3: roster sets that are refused', () => {
    const cases: Array<[string, () => Element | Element[], string]> = [
      ['more than one item is bad-request', () => [item({ jid: BOB }), item({ jid: 'carol@example.org' })], 'bad-request'],
      ['no item is bad-request', () => [], 'bad-request'],
      ['duplicate groups are bad-request', () => item({ jid: BOB }, 'Friends', 'Friends'), 'bad-request'],
      ['an empty group is not-acceptable', () => item({ jid: BOB }, ''), 'not-acceptable'],
      ['a name over the limit is not-acceptable', () => item({ jid: BOB, name: 'x'.repeat(11) }), 'not-acceptable'],
      ['a group over the limit is not-acceptable', () => item({ jid: BOB }, 'g'.repeat(11)), 'not-acceptable'],
      ['an item without a jid is bad-request', () => item({ name: 'Bob' }), 'bad-request'],
      ['a malformed jid is jid-malformed', () => item({ jid: 'bob@@example.org' }), 'jid-malformed'],
    ];
    for (const [what, items, condition] of cases) {
      it(`RFC 6121 §2.3.3: ${what}, and nothing is stored or pushed`, async () => {
        core = await createInProcessCore({ moduleConfig: { roster: { enabled: true, options: { maxNameLength: 10 } } } });
        const a = await interested(`${ALICE}/a`);
        const request = set(items());
        const replies = await core.send(a, request);
        expect(replies).toHaveLength(1);
        expect(replies[0]?.attrs).toMatchObject({ type: 'error', id: request.attrs.id });
        expect(errorCondition(replies[0])).toBe(condition);
        expect((await core.storage.roster.get(ALICE)).items).toEqual([]);
      });
    }

    it('RFC 6121 §2.3.3: a name and group at the limit are accepted', async () => {
      core = await createInProcessCore({ moduleConfig: { roster: { enabled: true, options: { maxNameLength: 10 } } } });
      const a = await interested(`${ALICE}/a`);
      const request = set(item({ jid: BOB, name: 'é'.repeat(10) }, 'g'.repeat(10)));
      expect(resultOf(await core.send(a, request), request.attrs.id)?.attrs.type).toBe('result');
    });

    it('RFC 6121 §2.3.3: a new item beyond maxItems is not-acceptable; existing items can still change', async () => {
      core = await createInProcessCore({ moduleConfig: { roster: { enabled: true, options: { maxItems: 2 } } } });
      const a = await interested(`${ALICE}/a`);
      await core.send(a, set(item({ jid: BOB })));
      await core.send(a, set(item({ jid: 'carol@example.org' })));
      const third = set(item({ jid: 'dave@example.org' }));
      expect(errorCondition(resultOf(await core.send(a, third), third.attrs.id))).toBe('not-acceptable');
      const rename = set(item({ jid: BOB, name: 'Bobby' }));
      expect(resultOf(await core.send(a, rename), rename.attrs.id)?.attrs.type).toBe('result');
      expect(await core.storage.roster.count(ALICE)).toBe(2);
    });

    it("RFC 6121 §2.1.5 / §2.3.3: another account's roster is forbidden; an unknown account is service-unavailable (§8.5.1)", async () => {
      core = await createInProcessCore();
      await core.connect(`${ALICE}/a`);
      const bob = await core.connect(`${BOB}/b`);
      for (const request of [get(undefined, ALICE), set(item({ jid: 'carol@example.org' }), ALICE)]) {
        const [reply] = await core.send(bob, request);
        expect(reply?.attrs).toMatchObject({ type: 'error', id: request.attrs.id });
        expect(errorCondition(reply)).toBe('forbidden');
      }
      const unknown = get(undefined, 'nobody@example.org');
      expect(errorCondition((await core.send(bob, unknown))[0])).toBe('service-unavailable');
      expect((await core.storage.roster.get(ALICE)).items).toEqual([]);
      expect(bob.interested).toBe(false);
    });
  });

  describe('deleting an item (RFC 6121 §2.5)', () => {
    it('RFC 6121 §2.5.2: the item is removed and pushed as subscription="remove" to interested resources', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      const b = await interested(`${ALICE}/b`);
      const quiet = await core.connect(`${ALICE}/quiet`);
      await core.send(a, set(item({ jid: BOB, name: 'Bob' }, 'Friends')));
      take(b);

      const request = set(item({ jid: BOB, subscription: 'remove', name: 'ignored' }));
      const replies = await core.send(a, request);
      expect(resultOf(replies, request.attrs.id)?.attrs.type).toBe('result');
      const removal = { from: ALICE, ver: '2', item: { jid: BOB, subscription: 'remove' }, groups: [] };
      expect(pushesIn(replies)).toEqual([{ ...removal, to: `${ALICE}/a` }]);
      expect(pushesIn(take(b))).toEqual([{ ...removal, to: `${ALICE}/b` }]);
      expect(take(quiet)).toEqual([]);
      expect(await stored(ALICE, BOB)).toBeUndefined();
    });

    it('RFC 6121 §2.5.3: removing an item that is not in the roster is item-not-found', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      const request = set(item({ jid: BOB, subscription: 'remove' }));
      const replies = await core.send(a, request);
      expect(replies).toHaveLength(1);
      expect(errorCondition(replies[0])).toBe('item-not-found');
    });
  });

  describe('roster versioning (RFC 6121 §2.6, XEP-0237)', () => {
    it('RFC 6121 §2.6.1 / §3.4.1: versioning and pre-approval are advertised after authentication only', async () => {
      core = await createInProcessCore();
      const names = (features: Element[]) => features.map((f) => `${f.name} ${f.attrs.xmlns}`);
      expect(names(await core.features('post-auth', 'example.org'))).toEqual(
        expect.arrayContaining(['ver urn:xmpp:features:rosterver', 'sub urn:xmpp:features:pre-approval']),
      );
      expect(names(await core.features('pre-auth', 'example.org'))).not.toContain('ver urn:xmpp:features:rosterver');
    });

    it('RFC 6121 §2.6.2: ver="" (bootstrap) and an unknown version get the whole roster', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      await core.send(a, set(item({ jid: BOB })));
      for (const ver of ['', '99', 'not-ours', '01']) {
        const request = get(ver);
        const replies = await core.send(a, request);
        expect(replies).toHaveLength(1);
        const query = replies[0]?.getChild('query', NS_ROSTER);
        expect(query?.attrs.ver).toBe('1');
        expect(query?.getChildren('item').map((i) => i.attrs.jid)).toEqual([BOB]);
      }
    });

    it('RFC 6121 §2.6.3: with no change since the version, the answer is an empty result and nothing follows', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      await core.send(a, set(item({ jid: BOB })));
      const fresh = await core.connect(`${ALICE}/fresh`);
      const request = get('1');
      const replies = await core.send(fresh, request);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.attrs).toMatchObject({ type: 'result', id: request.attrs.id, to: `${ALICE}/fresh` });
      expect(replies[0]?.getChildElements()).toHaveLength(0);
      // The versioned get made the resource interested like any other.
      expect(fresh.interested).toBe(true);
      await core.send(a, set(item({ jid: 'carol@example.org' })));
      expect(pushesIn(take(fresh)).map((p) => p.item.jid)).toEqual(['carol@example.org']);
    });

    it('RFC 6121 §2.6.3: changes since the version follow the empty result as pushes, one per item, removals as remove', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      await core.send(a, set(item({ jid: BOB }))); // v1
      await core.send(a, set(item({ jid: 'carol@example.org' }))); // v2
      await core.send(a, set(item({ jid: 'dave@example.org' }))); // v3
      await core.send(a, set(item({ jid: 'carol@example.org', subscription: 'remove' }))); // v4
      await core.send(a, set(item({ jid: 'dave@example.org', name: 'Dave' }))); // v5
      await core.send(a, set(item({ jid: 'erin@example.org' }))); // v6

      const cached = await core.connect(`${ALICE}/cached`);
      const request = get('1');
      const replies = await core.send(cached, request);
      expect(replies[0]?.attrs).toMatchObject({ type: 'result', id: request.attrs.id });
      expect(replies[0]?.getChildElements()).toHaveLength(0);
      // Each item once, in its latest state; only the last push names the new version.
      expect(pushesIn(replies.slice(1)).map((p) => [p.item, p.ver])).toEqual([
        [{ jid: 'carol@example.org', subscription: 'remove' }, undefined],
        [{ jid: 'dave@example.org', name: 'Dave', subscription: 'none' }, undefined],
        [{ jid: 'erin@example.org', subscription: 'none' }, '6'],
      ]);
      expect(replies).toHaveLength(4);
      // Nobody else was pushed anything by the versioned get.
      expect(take(a).filter((s) => s.attrs.type === 'set')).toHaveLength(6);
    });

    it('RFC 6121 §2.6.3 / issue 13: each push waits for the connection to drain, and a session that ended gets no more', async () => {
      core = await createInProcessCore();
      const a = await interested(`${ALICE}/a`);
      for (const jid of ['b@example.org', 'c@example.org', 'd@example.org']) await core.send(a, set(item({ jid })));
      const cached = await core.connect(`${ALICE}/cached`);
      const pushesWhenAsked: number[] = [];
      cached.whenWritable = () => {
        pushesWhenAsked.push(pushesIn(cached.sent).length);
        return Promise.resolve(pushesWhenAsked.length <= 2);
      };
      await core.send(cached, get('0'));
      expect(pushesWhenAsked).toEqual([0, 1, 2]);
      expect(pushesIn(cached.sent).map((p) => [p.item.jid, p.ver])).toEqual([
        ['b@example.org', undefined],
        ['c@example.org', undefined],
      ]);
    });
  });
});
