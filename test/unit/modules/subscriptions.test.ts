import { afterEach, describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { parseJid } from '../../../src/protocol/jid.js';
import type { RosterChangedEvent, StanzaEvent } from '../../../src/core/events.js';
import type { RosterItem, Subscription } from '../../../src/storage/types.js';
import { createInProcessCore, errorCondition, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';

const NS_ROSTER = 'jabber:iq:roster';
const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const CAROL = 'carol@example.org';
/** A contact on another server: its stanzas reach us through the router without a local session. */
const REMOTE = 'romeo@remote.example';

let core: InProcessCore;
afterEach(async () => core.close());

const take = (session: FakeSession): Element[] => session.sent.splice(0);
const presence = (type: string, to: string) => xml('presence', { type, to });

/** A roster push as [contact, item attributes]. */
function pushes(stanzas: Element[]): Array<Record<string, string>> {
  return stanzas
    .filter((s) => s.name === 'iq' && s.attrs.type === 'set' && s.getChild('query', NS_ROSTER))
    .map((s) => ({ ...(s.getChild('query', NS_ROSTER)?.getChild('item')?.attrs as Record<string, string>) }));
}
/** Subscription stanzas as "type from to". */
function subscriptionStanzas(stanzas: Element[]): string[] {
  return stanzas
    .filter((s) => s.name === 'presence' && ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'].includes(s.attrs.type ?? ''))
    .map((s) => `${s.attrs.type} ${s.attrs.from} ${s.attrs.to}`);
}
/** What the session got, as labels in order: "push <jid> <subscription>[ ask][ approved]" or "<type> <from>". */
function timeline(stanzas: Element[]): string[] {
  const out: string[] = [];
  for (const s of stanzas) {
    const entry = s.name === 'iq' ? s.getChild('query', NS_ROSTER)?.getChild('item') : undefined;
    if (s.name === 'iq' && s.attrs.type === 'set' && entry) {
      const { jid, subscription, ask, approved } = entry.attrs as Record<string, string | undefined>;
      out.push(['push', jid, subscription, ask && `ask=${ask}`, approved && `approved=${approved}`].filter(Boolean).join(' '));
    } else if (s.name === 'presence' && s.attrs.type !== undefined && s.attrs.type !== 'unavailable') {
      out.push(`${s.attrs.type} ${s.attrs.from}`);
    }
  }
  return out;
}

/** Online, interested and available, with the initial exchange cleared. */
async function online(jid: string): Promise<FakeSession> {
  const session = await core.connect(jid);
  await core.send(session, xml('iq', { type: 'get', id: 'r' }, xml('query', { xmlns: NS_ROSTER })));
  await core.send(session, xml('presence'));
  take(session);
  return session;
}

async function state(account: string, contact: string): Promise<Pick<RosterItem, 'subscription' | 'ask' | 'approved'> | undefined> {
  const item = await core.storage.roster.getItem(account, contact);
  return item && { subscription: item.subscription, ask: item.ask, approved: item.approved };
}
async function pendingFrom(account: string): Promise<string[]> {
  return (await core.storage.roster.pendingIn(account)).map((p) => p.jid);
}
async function seed(account: string, contact: string, subscription: Subscription, ask = false): Promise<void> {
  await core.accounts.create(parseJid(account), 'pw');
  await core.storage.roster.put(account, { jid: contact, subscription, ask, approved: false, groups: [] });
}
/** As if `from`'s server had sent it to us. */
function arrive(type: string, from: string, to: string): Promise<void> {
  return core.router.route(xml('presence', { type, from, to }));
}

describe('subscription handshake (RFC 6121 §3.1)', () => {
  it('RFC 6121 §3.1: two local users end in both, with the exact pushes at each step on both sides', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    const changes: RosterChangedEvent[] = [];
    core.events.on('roster/changed', (event) => void changes.push(event));

    // §3.1.2: the request goes out stamped with alice's bare JID; she is pushed ask=subscribe.
    await core.send(alice, presence('subscribe', BOB));
    expect(timeline(take(alice))).toEqual([`push ${BOB} none ask=subscribe`]);
    const toBob = take(bob);
    expect(subscriptionStanzas(toBob)).toEqual([`subscribe ${ALICE} ${BOB}`]);
    expect(pushes(toBob)).toEqual([]); // §3.1.3: a request does not touch bob's roster

    // §3.1.5 / §3.1.6: bob approves; alice sees the approval before her push.
    await core.send(bob, presence('subscribed', ALICE));
    expect(timeline(take(bob))).toEqual([`push ${ALICE} from`]);
    const toAlice = take(alice);
    expect(timeline(toAlice)).toEqual([`subscribed ${BOB}`, `push ${BOB} to`]);
    expect(subscriptionStanzas(toAlice)).toEqual([`subscribed ${BOB} ${ALICE}`]);
    // …and then bob's current presence, sent by the presence module on `roster/changed`.
    expect(toAlice.some((s) => s.name === 'presence' && s.attrs.type === undefined && s.attrs.from === `${BOB}/b`)).toBe(true);

    await core.send(bob, presence('subscribe', ALICE));
    expect(timeline(take(bob))).toEqual([`push ${ALICE} from ask=subscribe`]);
    expect(timeline(take(alice))).toEqual([`subscribe ${BOB}`]);

    await core.send(alice, presence('subscribed', BOB));
    expect(timeline(take(alice))).toEqual([`push ${BOB} both`]);
    expect(timeline(take(bob))).toEqual([`subscribed ${ALICE}`, `push ${ALICE} both`]);

    expect(await state(ALICE, BOB)).toEqual({ subscription: 'both', ask: false, approved: false });
    expect(await state(BOB, ALICE)).toEqual({ subscription: 'both', ask: false, approved: false });
    expect(await pendingFrom(ALICE)).toEqual([]);
    expect(await pendingFrom(BOB)).toEqual([]);
    expect(changes.map((c) => `${c.account} ${c.contact} ${c.before?.subscription ?? '-'}->${c.after?.subscription ?? '-'}`)).toEqual([
      `${ALICE} ${BOB} -->none`,
      `${ALICE} ${BOB} none->to`,
      `${BOB} ${ALICE} -->from`,
      `${BOB} ${ALICE} from->from`,
      `${BOB} ${ALICE} from->both`,
      `${ALICE} ${BOB} to->both`,
    ]);
  });

  it('RFC 6121 §3.1.1: a request to a full JID is handled as one to the bare JID', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    await core.send(alice, presence('subscribe', `${BOB}/b`));
    expect(subscriptionStanzas(take(bob))).toEqual([`subscribe ${ALICE} ${BOB}`]);
    expect(await state(ALICE, BOB)).toEqual({ subscription: 'none', ask: true, approved: false });
  });

  it('RFC 6121 §3.1.3: a request to an offline user is kept and delivered at each initial presence until answered', async () => {
    core = await createInProcessCore();
    await core.accounts.create(parseJid(CAROL), 'pw');
    const alice = await online(`${ALICE}/a`);
    await core.send(alice, presence('subscribe', CAROL));
    expect(await pendingFrom(CAROL)).toEqual([ALICE]);

    // Connected but not yet available: not delivered; the roster shows nothing of it.
    const phone = await core.connect(`${CAROL}/phone`);
    const [roster] = await core.send(phone, xml('iq', { type: 'get', id: 'r' }, xml('query', { xmlns: NS_ROSTER })));
    expect(roster?.getChild('query', NS_ROSTER)?.getChildElements()).toEqual([]);
    expect(subscriptionStanzas(take(phone))).toEqual([]);
    await core.send(phone, xml('presence'));
    expect(subscriptionStanzas(take(phone))).toEqual([`subscribe ${ALICE} ${CAROL}`]);
    // An update of presence is not initial presence: nothing again.
    await core.send(phone, xml('presence', null, xml('show', null, 'away')));
    expect(subscriptionStanzas(take(phone))).toEqual([]);

    const laptop = await core.connect(`${CAROL}/laptop`);
    await core.send(laptop, xml('presence'));
    expect(subscriptionStanzas(take(laptop))).toEqual([`subscribe ${ALICE} ${CAROL}`]);

    await core.send(phone, presence('subscribed', ALICE));
    expect(await pendingFrom(CAROL)).toEqual([]);
    const tablet = await core.connect(`${CAROL}/tablet`);
    await core.send(tablet, xml('presence'));
    expect(subscriptionStanzas(take(tablet))).toEqual([]);
    expect(await state(ALICE, CAROL)).toEqual({ subscription: 'to', ask: false, approved: false });
  });

  it('RFC 6121 §3.1.3: an online user gets the request on every available resource, not on the others', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob1 = await online(`${BOB}/1`);
    const bob2 = await online(`${BOB}/2`);
    const idle = await core.connect(`${BOB}/idle`);
    const rosterOnly = await core.connect(`${BOB}/roster-only`);
    await core.send(rosterOnly, xml('iq', { type: 'get', id: 'r' }, xml('query', { xmlns: NS_ROSTER })));
    take(rosterOnly);
    await core.send(alice, presence('subscribe', BOB));
    expect(subscriptionStanzas(take(bob1))).toEqual([`subscribe ${ALICE} ${BOB}`]);
    expect(subscriptionStanzas(take(bob2))).toEqual([`subscribe ${ALICE} ${BOB}`]);
    expect(take(idle)).toEqual([]);
    expect(take(rosterOnly)).toEqual([]); // interested, but requests are for available resources
  });

  it('RFC 6121 §3.1.6: the approval reaches the interested resources (available or not), then the push', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const rosterOnly = await core.connect(`${ALICE}/roster-only`);
    await core.send(rosterOnly, xml('iq', { type: 'get', id: 'r' }, xml('query', { xmlns: NS_ROSTER })));
    const presenceOnly = await core.connect(`${ALICE}/presence-only`);
    await core.send(presenceOnly, xml('presence'));
    const bob = await online(`${BOB}/b`);
    await core.send(alice, presence('subscribe', BOB));
    for (const session of [alice, rosterOnly, presenceOnly]) take(session);

    await core.send(bob, presence('subscribed', ALICE));
    expect(timeline(take(alice))).toEqual([`subscribed ${BOB}`, `push ${BOB} to`]);
    expect(timeline(take(rosterOnly))).toEqual([`subscribed ${BOB}`, `push ${BOB} to`]);
    expect(timeline(take(presenceOnly))).toEqual([]);
  });

  it('RFC 6121 §8.5.1: a request to an account that does not exist is refused with unsubscribed', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    await core.send(alice, presence('subscribe', 'nobody@example.org'));
    expect(timeline(take(alice))).toEqual([
      'push nobody@example.org none ask=subscribe',
      'unsubscribed nobody@example.org',
      'push nobody@example.org none',
    ]);
    expect(await pendingFrom('nobody@example.org')).toEqual([]);
  });

  it('RFC 6121 §3.1.3: when the user is already subscribed, the contact’s server answers subscribed itself', async () => {
    core = await createInProcessCore();
    await seed(BOB, ALICE, 'from');
    const bob = await online(`${BOB}/b`);
    const seen: string[] = [];
    core.events.on('presence/bare', (event: StanzaEvent) => void seen.push(`${event.stanza.attrs.type} ${event.from} ${event.to}`), 100);
    await arrive('subscribe', ALICE, BOB);
    expect(seen).toEqual([`subscribe ${ALICE} ${BOB}`, `subscribed ${BOB} ${ALICE}`]);
    expect(take(bob)).toEqual([]);
    expect(await pendingFrom(BOB)).toEqual([]);
  });

  it('RFC 6121 §3.1.2: subscribing when the roster is full is refused and nothing is routed', async () => {
    core = await createInProcessCore({ moduleConfig: { roster: { enabled: true, options: { maxItems: 1 } } } });
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    await core.send(alice, presence('subscribe', CAROL));
    const replies = await core.send(alice, presence('subscribe', BOB));
    expect(replies.map((r) => r.attrs.type)).toEqual(['error']);
    expect(errorCondition(replies[0])).toBe('not-acceptable');
    expect(take(bob)).toEqual([]);
    expect(await state(ALICE, BOB)).toBeUndefined();
  });
});

describe('pre-approval (RFC 6121 §3.4)', () => {
  it('RFC 6121 §3.4: subscribed without a request is stored as approved, not routed, and answers the later request', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);

    await core.send(bob, presence('subscribed', ALICE));
    expect(timeline(take(bob))).toEqual([`push ${ALICE} none approved=true`]);
    expect(take(alice)).toEqual([]);

    await core.send(alice, presence('subscribe', BOB));
    expect(timeline(take(alice))).toEqual([`push ${BOB} none ask=subscribe`, `subscribed ${BOB}`, `push ${BOB} to`]);
    // Bob is not asked; his item becomes from and the approval is used up.
    expect(timeline(take(bob))).toEqual([`push ${ALICE} from`]);
    expect(await state(BOB, ALICE)).toEqual({ subscription: 'from', ask: false, approved: false });
  });

  it('RFC 6121 §3.4 / A.2.4: unsubscribed withdraws a pre-approval', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    await core.send(bob, presence('subscribed', ALICE));
    await core.send(bob, presence('unsubscribed', ALICE));
    expect(timeline(take(bob))).toEqual([`push ${ALICE} none approved=true`, `push ${ALICE} none`]);
    take(alice);
    await core.send(alice, presence('subscribe', BOB));
    expect(subscriptionStanzas(take(bob))).toEqual([`subscribe ${ALICE} ${BOB}`]);
  });

  it('RFC 6121 A.2.3: subscribed to a contact that is already subscribed changes nothing and is not routed', async () => {
    core = await createInProcessCore();
    await seed(BOB, ALICE, 'from');
    await seed(ALICE, BOB, 'to');
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    take(alice);
    await core.send(bob, presence('subscribed', ALICE));
    expect(take(bob)).toEqual([]);
    expect(take(alice)).toEqual([]);
  });
});

describe('unsubscribing and cancelling (RFC 6121 §3.2, §3.3)', () => {
  async function mutual(): Promise<[FakeSession, FakeSession]> {
    await seed(ALICE, BOB, 'both');
    await seed(BOB, ALICE, 'both');
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    take(alice);
    return [alice, bob];
  }

  it('RFC 6121 §3.3: unsubscribe turns both into from for the user and to for the contact', async () => {
    core = await createInProcessCore();
    const [alice, bob] = await mutual();
    await core.send(alice, presence('unsubscribe', BOB));
    expect(timeline(take(alice))).toEqual([`push ${BOB} from`]);
    expect(timeline(take(bob))).toEqual([`unsubscribe ${ALICE}`, `push ${ALICE} to`]);
  });

  it('RFC 6121 §3.2: unsubscribed turns both into to for the user and from for the contact', async () => {
    core = await createInProcessCore();
    const [alice, bob] = await mutual();
    await core.send(alice, presence('unsubscribed', BOB));
    expect(timeline(take(alice))).toEqual([`push ${BOB} to`]);
    expect(timeline(take(bob))).toEqual([`unsubscribed ${ALICE}`, `push ${ALICE} from`]);
  });

  it('RFC 6121 §3.2.1: unsubscribed denies a pending request', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    await core.send(bob, presence('subscribe', ALICE));
    take(bob);
    take(alice);
    await core.send(alice, presence('unsubscribed', BOB));
    expect(take(alice)).toEqual([]); // only pending-in changed: no item, so no push
    expect(timeline(take(bob))).toEqual([`unsubscribed ${ALICE}`, `push ${ALICE} none`]);
    expect(await pendingFrom(ALICE)).toEqual([]);
  });

  it('RFC 6121 A.2.2 / A.3.2: unsubscribe withdraws a pending request', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    const bob = await online(`${BOB}/b`);
    await core.send(bob, presence('subscribe', ALICE));
    take(alice);
    take(bob);
    await core.send(bob, presence('unsubscribe', ALICE));
    expect(timeline(take(bob))).toEqual([`push ${ALICE} none`]);
    expect(timeline(take(alice))).toEqual([`unsubscribe ${BOB}`]);
    expect(await pendingFrom(ALICE)).toEqual([]);
  });

  it('RFC 6121 §2.5.2: removing an item of a mutual subscription sends unsubscribe and unsubscribed', async () => {
    core = await createInProcessCore();
    const [alice, bob] = await mutual();
    const removal = xml('iq', { type: 'set', id: 'rm' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: BOB, subscription: 'remove' })));
    const replies = await core.send(alice, removal);
    expect(timeline(replies)).toEqual([`push ${BOB} remove`]);
    expect(replies.find((r) => r.attrs.id === 'rm')?.attrs.type).toBe('result');
    expect(timeline(take(bob))).toEqual([`unsubscribe ${ALICE}`, `push ${ALICE} to`, `unsubscribed ${ALICE}`, `push ${ALICE} none`]);
    expect(await state(BOB, ALICE)).toEqual({ subscription: 'none', ask: false, approved: false });
  });

  it('RFC 6121 §2.5.2: removing an item with only a pending request withdraws the request', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    await core.accounts.create(parseJid(BOB), 'pw');
    await core.send(alice, presence('subscribe', BOB));
    expect(await pendingFrom(BOB)).toEqual([ALICE]);
    await core.send(alice, xml('iq', { type: 'set', id: 'rm' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: BOB, subscription: 'remove' }))));
    expect(await pendingFrom(BOB)).toEqual([]);
  });
});

describe('stanzas Appendix A says to ignore (RFC 6121 A.3)', () => {
  // [what, the user's state for REMOTE, the type arriving from REMOTE]
  const cases: Array<[string, Subscription | undefined, boolean, string]> = [
    ['A.3.3: subscribed without a request (None, no item)', undefined, false, 'subscribed'],
    ['A.3.3: subscribed when already subscribed (To)', 'to', false, 'subscribed'],
    ['A.3.3: subscribed with no request of ours (From)', 'from', false, 'subscribed'],
    ['A.3.2: unsubscribe from a contact with no subscription to the user (To)', 'to', false, 'unsubscribe'],
    ['A.3.2: unsubscribe in None + Pending Out', 'none', true, 'unsubscribe'],
    ['A.3.4: unsubscribed when the user has no subscription or request (From)', 'from', false, 'unsubscribed'],
    ['A.3.4: unsubscribed in None', 'none', false, 'unsubscribed'],
  ];
  for (const [what, subscription, ask, type] of cases) {
    it(`RFC 6121 ${what} is neither delivered nor pushed nor stored`, async () => {
      core = await createInProcessCore();
      if (subscription) await seed(ALICE, REMOTE, subscription, ask);
      const alice = await online(`${ALICE}/a`);
      take(alice);
      const before = await state(ALICE, REMOTE);
      await arrive(type, REMOTE, ALICE);
      expect(take(alice)).toEqual([]);
      expect(await state(ALICE, REMOTE)).toEqual(before);
    });
  }

  it('RFC 6121 A.3.1: a second request while one is pending is not delivered again', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    await arrive('subscribe', REMOTE, ALICE);
    expect(subscriptionStanzas(take(alice))).toEqual([`subscribe ${REMOTE} ${ALICE}`]);
    await arrive('subscribe', REMOTE, ALICE);
    expect(take(alice)).toEqual([]);
    expect(await pendingFrom(ALICE)).toEqual([REMOTE]);
  });

  it('RFC 6121 §3.1.2: a request from a remote contact stamped with a full JID is kept under the bare JID', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    await arrive('subscribe', `${REMOTE}/balcony`, ALICE);
    expect(subscriptionStanzas(take(alice))).toEqual([`subscribe ${REMOTE} ${ALICE}`]);
    expect(await pendingFrom(ALICE)).toEqual([REMOTE]);
  });

  it('RFC 6121 §3.1.2: subscription presence without a contact (no to) is dropped', async () => {
    core = await createInProcessCore();
    const alice = await online(`${ALICE}/a`);
    expect(await core.send(alice, xml('presence', { type: 'subscribe' }))).toEqual([]);
    expect((await core.storage.roster.get(ALICE)).items).toEqual([]);
  });
});
