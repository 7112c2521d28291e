import { afterEach, describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import type { Subscription } from '../../../src/storage/types.js';
import { xml, type Element } from '../../../src/xml/element.js';
import { createInProcessCore, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';

let core: InProcessCore;
afterEach(async () => core.close());

const MIRROR: Record<Subscription, Subscription> = { none: 'none', to: 'from', from: 'to', both: 'both' };

async function seed(account: string, contact: string, subscription: Subscription): Promise<void> {
  await core.storage.roster.put(account, { jid: contact, subscription, ask: false, approved: false, groups: [] });
}

/**
 * Both rosters, consistent with each other. A one-sided roster would be repaired by the roster
 * module as soon as a probe is refused (RFC 6121 §4.3.2), so tests that mean a steady state use this.
 */
async function subscribed(account: string, contact: string, subscription: Subscription): Promise<void> {
  await seed(account, contact, subscription);
  await seed(contact, account, MIRROR[subscription]);
}

/** Connects and sends initial presence; the session's inbox is emptied afterwards. */
async function online(jid: string, ...children: Element[]): Promise<FakeSession> {
  const session = await core.connect(jid);
  await core.send(session, xml('presence', {}, ...children));
  session.sent.length = 0;
  return session;
}

function presences(session: FakeSession, from?: string): Element[] {
  return session.sent.filter((s) => s.name === 'presence' && (from === undefined || s.attrs.from === from));
}

/** Records presence stanzas of a type reaching bare JIDs, without claiming them. */
function watchBare(type: string, priority = 100): Element[] {
  const seen: Element[] = [];
  core.events.on('presence/bare', ({ stanza }) => void (stanza.attrs.type === type && seen.push(stanza)), priority);
  return seen;
}

describe('RFC 6121 §4 presence', () => {
  it('RFC 6121 §4.2.2: initial presence probes to/both contacts and reaches from/both contacts and own available resources', async () => {
    core = await createInProcessCore();
    const alice = 'alice@example.org';
    await subscribed(alice, 'bob@example.org', 'to');
    await subscribed(alice, 'carol@example.org', 'from');
    await subscribed(alice, 'dave@example.org', 'both');
    await subscribed(alice, 'erin@example.org', 'none');
    const [bob, carol, dave, erin] = await Promise.all(['bob', 'carol', 'dave', 'erin'].map((u) => online(`${u}@example.org/home`)));
    const phone = await online('alice@example.org/phone');
    const laptop = await core.connect('alice@example.org/laptop');
    const probes = watchBare('probe');

    const home = await core.connect('alice@example.org/home');
    const echo = await core.send(home, xml('presence', {}, xml('show', {}, 'away')));

    expect(probes.map((p) => [p.attrs.from, p.attrs.to]).sort()).toEqual([
      [alice, 'bob@example.org'],
      [alice, 'dave@example.org'],
    ]);
    for (const subscriber of [carol, dave]) {
      const [got] = presences(subscriber!, 'alice@example.org/home');
      expect(got?.attrs.type).toBeUndefined();
      expect(got?.getChildText('show')).toBe('away');
    }
    expect(presences(bob!, 'alice@example.org/home')).toHaveLength(0);
    expect(presences(erin!, 'alice@example.org/home')).toHaveLength(0);
    expect(presences(phone, 'alice@example.org/home')[0]?.attrs.to).toBe('alice@example.org/phone');
    expect(presences(laptop)).toHaveLength(0);
    expect(echo.some((s) => s.attrs.from === 'alice@example.org/home' && s.attrs.to === 'alice@example.org/home')).toBe(true);
    expect((await core.sessions.byFullJid('alice@example.org/home'))?.available).toBe(true);
  });

  it('RFC 6121 §4.3.2: a probe is answered with the last presence of each available resource', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'bob@example.org', 'to');
    await online('bob@example.org/a', xml('status', {}, 'first'));
    await online('bob@example.org/b', xml('show', {}, 'dnd'));
    await core.connect('bob@example.org/c');

    const alice = await core.connect('alice@example.org/home');
    await core.send(alice, xml('presence'));

    expect(presences(alice, 'bob@example.org/a')[0]?.getChildText('status')).toBe('first');
    expect(presences(alice, 'bob@example.org/b')[0]?.getChildText('show')).toBe('dnd');
    expect(presences(alice, 'bob@example.org/a')[0]?.attrs.to).toBe('alice@example.org');
    expect(presences(alice, 'bob@example.org/c')).toHaveLength(0);
  });

  it('RFC 6121 §4.3.2: a probe to a full JID is answered for that resource only', async () => {
    core = await createInProcessCore();
    await seed('bob@example.org', 'alice@example.org', 'from');
    await online('bob@example.org/a');
    await online('bob@example.org/b');
    const alice = await online('alice@example.org/home');

    const got = await core.send(alice, xml('presence', { type: 'probe', to: 'bob@example.org/b' }));

    expect(got.map((s) => s.attrs.from)).toEqual(['bob@example.org/b']);
    expect(got[0]?.attrs.to).toBe('alice@example.org/home');
  });

  it('RFC 6121 §4.3.2: with no available resource the probe is answered unavailable from the bare JID', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'bob@example.org', 'to');
    await core.accounts.create(parseJid('bob@example.org'), 'secret');

    const alice = await core.connect('alice@example.org/home');
    await core.send(alice, xml('presence'));

    const [answer] = presences(alice, 'bob@example.org');
    expect(answer?.attrs).toMatchObject({ type: 'unavailable', to: 'alice@example.org' });
    expect(answer?.getChild('delay', 'urn:xmpp:delay')).toBeUndefined();
  });

  it('RFC 6121 §4.3.2: the unavailable answer carries the last unavailable presence and a <delay/> of when it was sent', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'bob@example.org', 'to');
    const bob = await online('bob@example.org/a');
    await core.send(bob, xml('presence', { type: 'unavailable' }, xml('status', {}, 'gone fishing')));
    const wentAway = new Date(core.clock.now()).toISOString();
    core.clock.advance(60_000);

    const alice = await core.connect('alice@example.org/home');
    await core.send(alice, xml('presence'));

    const [answer] = presences(alice, 'bob@example.org');
    expect(answer?.attrs.type).toBe('unavailable');
    expect(answer?.getChildText('status')).toBe('gone fishing');
    expect(answer?.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp).toBe(wentAway);
  });

  it('RFC 6121 §4.3.2: a prober that is not subscribed learns nothing and is answered unsubscribed', async () => {
    core = await createInProcessCore();
    await seed('bob@example.org', 'alice@example.org', 'none');
    await seed('alice@example.org', 'bob@example.org', 'to');
    await seed('alice@example.org', 'ghost@example.org', 'to');
    await online('bob@example.org/a');
    const unsubscribed = watchBare('unsubscribed');

    const alice = await core.connect('alice@example.org/home');
    await core.send(alice, xml('presence'));

    expect(presences(alice).filter((s) => s.attrs.from !== 'alice@example.org/home')).toHaveLength(0);
    expect(unsubscribed.map((s) => [s.attrs.from, s.attrs.to]).sort()).toEqual([
      ['bob@example.org', 'alice@example.org'],
      ['ghost@example.org', 'alice@example.org'],
    ]);
  });

  it('RFC 6121 §4.4.2: an update reaches subscribers and own resources without new probes', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'bob@example.org', 'to');
    await subscribed('alice@example.org', 'carol@example.org', 'from');
    const carol = await online('carol@example.org/home');
    const phone = await online('alice@example.org/phone');
    const home = await online('alice@example.org/home');
    carol.sent.length = 0;
    phone.sent.length = 0;
    const probes = watchBare('probe');

    const echo = await core.send(home, xml('presence', {}, xml('show', {}, 'xa'), xml('priority', {}, '5')));

    expect(probes).toHaveLength(0);
    expect(presences(carol, 'alice@example.org/home')[0]?.getChildText('show')).toBe('xa');
    expect(presences(phone, 'alice@example.org/home')[0]?.getChildText('show')).toBe('xa');
    expect(echo.some((s) => s.attrs.from === 'alice@example.org/home')).toBe(true);
    expect((await core.sessions.byFullJid('alice@example.org/home'))?.priority).toBe(5);
  });

  it('RFC 6121 §4.5.2: unavailable presence reaches subscribers and own resources, and later probes see it', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'bob@example.org', 'to');
    await subscribed('alice@example.org', 'carol@example.org', 'from');
    const bob = await online('bob@example.org/home');
    const carol = await online('carol@example.org/home');
    const phone = await online('alice@example.org/phone');
    const home = await online('alice@example.org/home');
    for (const s of [bob, carol, phone]) s.sent.length = 0;

    await core.send(home, xml('presence', { type: 'unavailable' }, xml('status', {}, 'bye')));

    const [got] = presences(carol, 'alice@example.org/home');
    expect(got?.attrs.type).toBe('unavailable');
    expect(got?.getChildText('status')).toBe('bye');
    expect(presences(phone, 'alice@example.org/home')[0]?.attrs.type).toBe('unavailable');
    expect(presences(bob)).toHaveLength(0);
    const ref = await core.sessions.byFullJid('alice@example.org/home');
    expect(ref?.available).toBe(false);
    expect(ref?.presence).toBeUndefined();
  });

  it('RFC 6121 §4.5.2: a session that ends abruptly is announced unavailable', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'carol@example.org', 'both');
    const carol = await online('carol@example.org/home');
    const phone = await online('alice@example.org/phone');
    const home = await online('alice@example.org/home');
    carol.sent.length = 0;
    phone.sent.length = 0;

    await core.disconnect(home);

    expect(presences(carol, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual(['unavailable']);
    expect(presences(phone, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual(['unavailable']);
  });

  it('RFC 6121 §4.5.2: a session that was never available announces nothing when it ends', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'carol@example.org', 'from');
    const carol = await online('carol@example.org/home');
    const home = await core.connect('alice@example.org/home');

    await core.disconnect(home);

    expect(presences(carol)).toHaveLength(0);
  });

  it('RFC 6121 §4.6.2: directed presence is delivered, and the target hears unavailable at logout', async () => {
    core = await createInProcessCore();
    await subscribed('alice@example.org', 'carol@example.org', 'from');
    const zed = await online('zed@example.org/home');
    const carol = await online('carol@example.org/home');
    const alice = await online('alice@example.org/home');
    carol.sent.length = 0;

    await core.send(alice, xml('presence', { to: 'zed@example.org/home' }, xml('show', {}, 'chat')));
    await core.send(alice, xml('presence', { to: 'carol@example.org/home' }, xml('show', {}, 'chat')));
    expect(presences(zed, 'alice@example.org/home')[0]?.getChildText('show')).toBe('chat');

    await core.disconnect(alice);

    expect(presences(zed, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual([undefined, 'unavailable']);
    // A subscriber hears the broadcast unavailable once, not a second time as a directed target.
    expect(presences(carol, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual([undefined, 'unavailable']);
  });

  it('RFC 6121 §4.6.2: directed targets are told by a broadcast unavailable, then forgotten', async () => {
    core = await createInProcessCore();
    const zed = await online('zed@example.org/home');
    const yan = await online('yan@example.org/home');
    const alice = await online('alice@example.org/home');

    await core.send(alice, xml('presence', { to: 'zed@example.org' }));
    await core.send(alice, xml('presence', { to: 'yan@example.org/home' }));
    await core.send(alice, xml('presence', { to: 'yan@example.org/home', type: 'unavailable' }));
    await core.send(alice, xml('presence', { type: 'unavailable' }));
    await core.disconnect(alice);

    expect(presences(zed, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual([undefined, 'unavailable']);
    expect(presences(yan, 'alice@example.org/home').map((s) => s.attrs.type)).toEqual([undefined, 'unavailable']);
  });

  it('RFC 6121 §4.6.3: presence to a bare JID reaches every available resource; to nobody it is dropped', async () => {
    core = await createInProcessCore();
    const home = await online('alice@example.org/home');
    const phone = await online('alice@example.org/phone');
    const laptop = await core.connect('alice@example.org/laptop');
    const zed = await online('zed@example.org/home');

    const back = [
      ...(await core.send(zed, xml('presence', { to: 'alice@example.org' }, xml('status', {}, 'hi')))),
      ...(await core.send(zed, xml('presence', { to: 'nobody@example.org' }))),
      ...(await core.send(zed, xml('presence', { to: 'alice@example.org/gone' }))),
    ];

    for (const session of [home, phone]) expect(presences(session, 'zed@example.org/home')[0]?.getChildText('status')).toBe('hi');
    expect(presences(laptop)).toHaveLength(0);
    expect(back).toHaveLength(0);
  });

  it('RFC 6121 §8.5.3.1: presence to a full JID reaches that connected resource only', async () => {
    core = await createInProcessCore();
    const home = await online('alice@example.org/home');
    const laptop = await core.connect('alice@example.org/laptop');
    const zed = await online('zed@example.org/home');

    await core.send(zed, xml('presence', { to: 'alice@example.org/laptop' }));

    expect(presences(laptop, 'zed@example.org/home')).toHaveLength(1);
    expect(presences(home)).toHaveLength(0);
  });

  it('RFC 6121 §3.1.5: a contact that gains a subscription gets the current presence; one that loses it gets unavailable', async () => {
    core = await createInProcessCore();
    const alice = await online('alice@example.org/home', xml('status', {}, 'here'));
    await core.connect('alice@example.org/idle');
    const bob = await online('bob@example.org/home');
    const account = parseJid('alice@example.org');
    const contact = parseJid('bob@example.org');
    const item = { jid: 'bob@example.org', ask: false, approved: false, groups: [] };

    await core.events.fire('roster/changed', { account, contact, before: { ...item, subscription: 'to' }, after: { ...item, subscription: 'both' } });
    expect(presences(bob).map((s) => [s.attrs.from, s.attrs.type, s.getChildText('status')])).toEqual([['alice@example.org/home', undefined, 'here']]);
    bob.sent.length = 0;

    // A change that keeps 'from' sends nothing.
    await core.events.fire('roster/changed', { account, contact, before: { ...item, subscription: 'both' }, after: { ...item, subscription: 'from' } });
    expect(presences(bob)).toHaveLength(0);

    await core.events.fire('roster/changed', { account, contact, before: { ...item, subscription: 'from' }, after: undefined });
    expect(presences(bob).map((s) => [s.attrs.from, s.attrs.type])).toEqual([['alice@example.org/home', 'unavailable']]);
    expect(alice.sent).toHaveLength(0);
  });

  it('RFC 6121 §3: subscription stanzas are left to the roster module', async () => {
    // Without the roster module, so an unclaimed subscription stanza reaches the end of the chain.
    core = await createInProcessCore({ moduleConfig: { roster: { enabled: false, options: {} } } });
    const alice = await online('alice@example.org/home');
    const outbound: Element[] = [];
    core.events.on('pre-presence/bare', ({ stanza }) => void outbound.push(stanza), -100);
    const inbound = watchBare('subscribe', -100);

    await core.send(alice, xml('presence', { type: 'subscribe', to: 'bob@example.org' }));

    expect(outbound.map((s) => s.attrs.type)).toEqual(['subscribe']);
    expect(inbound.map((s) => s.attrs.to)).toEqual(['bob@example.org']);
  });
});
