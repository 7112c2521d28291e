import { afterEach, describe, expect, it, vi } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { parseJid } from '../../../src/protocol/jid.js';
import { stanzaIdOf } from '../../../src/protocol/stanza-id.js';
import { buildElement } from '../../../src/xml/element-builder.js';
import { createInProcessCore, errorCondition, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

const JULIET = 'juliet@example.org';
const START = Date.UTC(2026, 0, 1);

let core: InProcessCore;
let romeo: FakeSession;
afterEach(async () => core.close());

/** A core with juliet's account (offline) and romeo connected to send to her. */
async function start(quota?: number): Promise<void> {
  core = await createInProcessCore(quota === undefined ? {} : { moduleConfig: { offline: { enabled: true, options: { quota } } } });
  await core.accounts.create(parseJid(JULIET), 'pw');
  romeo = await core.connect('romeo@example.org/garden');
}

let ids = 0;
function message(children: Element[], attrs: Record<string, string> = { type: 'chat' }): Element {
  return xml('message', { to: JULIET, id: `m${++ids}`, ...attrs }, ...children);
}
const body = (text: string) => xml('body', null, text);
const hint = (name: string) => xml(name, { xmlns: NS.hints });

/** Sends as romeo; returns what came back to him (errors). */
async function sendToJuliet(stanza: Element): Promise<Element[]> {
  return core.send(romeo, stanza);
}

const bodies = (session: FakeSession): string[] => session.sent.filter((s) => s.name === 'message').map((m) => m.getChildText('body') ?? '');
/** The client behind `session` acknowledges `stanza` (XEP-0198). */
async function acked(session: FakeSession, stanza: Element): Promise<void> {
  session.confirm(stanza);
  await core.events.fire('stanza/acked', { session, stanza });
}
/** The flush runs beside the session's queue: wait until `session` has been sent `expected`. */
const received = (session: FakeSession, expected: string[]) => vi.waitFor(() => expect(bodies(session)).toEqual(expected));
const storedCount = (expected: number) => vi.waitFor(async () => expect(await core.storage.offline.count(JULIET)).toBe(expected));

/** Juliet connects; `confirms` plays a client with XEP-0198 enabled. */
async function julietConnects(resource: string, confirms = false): Promise<FakeSession> {
  const session = await core.connect(`${JULIET}/${resource}`);
  session.confirmsDelivery = confirms;
  return session;
}

describe('XEP-0160 offline messages: storing', () => {
  it('XEP-0160 §4: the server advertises msgoffline', async () => {
    await start();
    expect(await discoFeatures(core, 'example.org')).toContain('msgoffline');
  });

  it('XEP-0160 §2 / RFC 6121 §8.5.2.2: a chat to an account with no available resource is stored, and the sender gets no error', async () => {
    await start();
    expect(await sendToJuliet(message([body('hello')]))).toEqual([]);
    const [entry] = await core.storage.offline.list(JULIET);
    expect(entry?.stanza).toContain('<body>hello</body>');
    expect(entry?.storedAt).toBe(START);
  });

  it('XEP-0160 §2 / XEP-0203: the stored copy carries our delay (from the domain, UTC stamp) and our stanza-id (XEP-0359)', async () => {
    await start();
    // A delay claiming to be from our server is the sender's forgery: replaced, not kept.
    const forged = xml('delay', { xmlns: NS.delay, from: 'example.org', stamp: '1999-01-01T00:00:00Z' });
    const theirs = xml('delay', { xmlns: NS.delay, from: 'romeo@example.org/garden', stamp: '2025-12-31T23:00:00Z' });
    await sendToJuliet(message([body('hi'), forged, theirs]));
    const [entry] = await core.storage.offline.list(JULIET);
    const copy = buildElement(entry!.stanza);
    const delays = copy.getChildren('delay', NS.delay);
    expect(delays.map((d) => d.attrs.from)).toEqual(['romeo@example.org/garden', 'example.org']);
    expect(delays[1]?.attrs.stamp).toBe('2026-01-01T00:00:00.000Z');
    expect(stanzaIdOf(copy, JULIET)).toBe(entry?.stanzaId);
  });

  const storable: Array<[string, Element]> = [
    ['XEP-0160 §3: a normal message (no type) with a body', message([body('x')], {})],
    ['RFC 6121 §5.2.4: a subject alone', message([xml('subject', null, 'topic')])],
    ['XEP-0085 §2: a content message (body with a chat state)', message([body('x'), xml('active', { xmlns: NS.chatStates })])],
    ['XEP-0380: an encrypted message (EME) without body', message([xml('encryption', { xmlns: 'urn:xmpp:eme:0', namespace: 'urn:xmpp:omemo:2' })])],
    ['XEP-0384: an OMEMO (legacy namespace) message without body', message([xml('encrypted', { xmlns: 'eu.siacs.conversations.axolotl' })])],
    ['XEP-0373: an OpenPGP message without body', message([xml('openpgp', { xmlns: 'urn:xmpp:openpgp:0' }, 'BASE64')])],
    ['XEP-0184: a delivery receipt', message([xml('received', { xmlns: NS.receipts, id: 'orig' })])],
    ['XEP-0333 §7: a displayed chat marker', message([xml('displayed', { xmlns: NS.chatMarkers, id: 'orig' })])],
    ['XEP-0334 §4.4: a store hint on a chat state alone', message([xml('composing', { xmlns: NS.chatStates }), hint('store')])],
  ];
  for (const [name, stanza] of storable) {
    it(`stores ${name}`, async () => {
      await start();
      expect(await sendToJuliet(stanza)).toEqual([]);
      expect(await core.storage.offline.count(JULIET)).toBe(1);
    });
  }

  const notStorable: Array<[string, Element]> = [
    ['XEP-0085 §5.8: a chat state alone', message([xml('composing', { xmlns: NS.chatStates })])],
    ['XEP-0334 §4.2: a no-store hint, even with a body', message([body('secret'), hint('no-store')])],
    ['XEP-0334 §4.2: no-store wins over store', message([body('x'), hint('store'), hint('no-store')])],
    ['XEP-0184: a receipt request alone', message([xml('request', { xmlns: NS.receipts })])],
    ['XEP-0333: a markable element alone', message([xml('markable', { xmlns: NS.chatMarkers })])],
  ];
  for (const [name, stanza] of notStorable) {
    it(`does not store ${name}: the sender gets service-unavailable (RFC 6121 §8.5.2.2.1)`, async () => {
      await start();
      const [reply] = await sendToJuliet(stanza);
      expect(errorCondition(reply)).toBe('service-unavailable');
      expect(await core.storage.offline.count(JULIET)).toBe(0);
    });
  }

  it('XEP-0160 §3: headline and groupchat are never stored', async () => {
    await start();
    await sendToJuliet(message([body('news')], { type: 'headline' }));
    const [error] = await sendToJuliet(message([body('room?')], { type: 'groupchat' }));
    expect(errorCondition(error)).toBe('service-unavailable');
    expect(await core.storage.offline.count(JULIET)).toBe(0);
  });

  it('XEP-0160 §2: with the quota reached the sender gets service-unavailable saying the storage is full', async () => {
    await start(2);
    expect(await sendToJuliet(message([body('1')]))).toEqual([]);
    expect(await sendToJuliet(message([body('2')]))).toEqual([]);
    const [reply] = await sendToJuliet(message([body('3')]));
    expect(reply?.attrs).toMatchObject({ type: 'error', from: JULIET, to: 'romeo@example.org/garden' });
    expect(errorCondition(reply)).toBe('service-unavailable');
    expect(reply?.getChild('error')?.getChildText('text', NS.stanzas)).toBe("the recipient's offline storage is full");
    expect(await core.storage.offline.count(JULIET)).toBe(2);
  });

  it('XEP-0359: the same message offered twice (same stanza-id) is stored once, and both offers are claimed', async () => {
    await start(1);
    const stanza = xml('message', { from: 'romeo@example.org/garden', to: JULIET, type: 'chat' }, body('once'), xml('stanza-id', { xmlns: NS.stanzaId, by: JULIET, id: 'sid-1' }));
    const offer = () => core.events.fire('message/offline', { stanza, from: parseJid('romeo@example.org/garden'), to: parseJid(JULIET) });
    expect(await offer()).toBe(true);
    // A re-offer while the quota is reached is still "already stored", not "full".
    expect(await offer()).toBe(true);
    expect((await core.storage.offline.list(JULIET)).map((m) => m.stanzaId)).toEqual(['sid-1']);
    expect(romeo.sent).toEqual([]);
  });

  it('a storage failure is answered with internal-server-error, not silence', async () => {
    await start();
    core.storage.offline.store = async () => {
      throw new Error('disk on fire');
    };
    const [reply] = await sendToJuliet(message([body('lost?')]));
    expect(errorCondition(reply)).toBe('internal-server-error');
  });
});

describe('XEP-0160 offline messages: delivery', () => {
  it('XEP-0160 §2: at initial presence the resource gets them in order, each with its own delay stamp, then they are gone', async () => {
    await start();
    for (const text of ['one', 'two', 'three']) {
      await sendToJuliet(message([body(text)]));
      core.clock.advance(60_000);
    }
    const juliet = await julietConnects('balcony');
    await core.send(juliet, xml('presence'));
    await received(juliet, ['one', 'two', 'three']);
    const messages = juliet.sent.filter((s) => s.name === 'message');
    expect(messages.map((m) => m.getChild('delay', NS.delay)?.attrs.stamp)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
    ]);
    expect(messages.every((m) => m.getChild('delay', NS.delay)?.attrs.from === 'example.org')).toBe(true);
    // Without XEP-0198 a stanza handed to the network counts as delivered: nothing is left.
    await storedCount(0);
    // A presence update is no new delivery.
    juliet.sent.length = 0;
    await core.send(juliet, xml('presence', null, xml('show', null, 'away')));
    expect(bodies(juliet)).toEqual([]);
  });

  it('XEP-0160 §2: nothing before presence, nothing for negative priority; a later non-negative presence delivers', async () => {
    await start();
    await sendToJuliet(message([body('wait for me')]));
    const juliet = await julietConnects('balcony');
    await core.send(juliet, xml('presence', null, xml('priority', null, '-1')));
    expect(bodies(juliet)).toEqual([]);
    expect(await core.storage.offline.count(JULIET)).toBe(1);
    await core.send(juliet, xml('presence', null, xml('priority', null, '1')));
    await received(juliet, ['wait for me']);
  });

  it('XEP-0160 §2: a long queue is delivered whole and in order, read a page at a time', async () => {
    await start();
    for (let n = 0; n < 450; n++) await sendToJuliet(message([body(String(n))]));
    const list = core.storage.offline.list.bind(core.storage.offline);
    const reads: Array<number | undefined> = [];
    core.storage.offline.list = async (account, limit) => {
      reads.push(limit);
      return list(account, limit);
    };
    const juliet = await julietConnects('balcony');
    await core.send(juliet, xml('presence'));
    await received(juliet, Array.from({ length: 450 }, (_, n) => String(n)));
    expect(reads.every((limit) => limit !== undefined && limit <= 200)).toBe(true);
    await storedCount(0);
  });

  it('XEP-0198: for a session that confirms delivery, a message is deleted only once acknowledged', async () => {
    await start();
    for (const text of ['a', 'b', 'c']) await sendToJuliet(message([body(text)]));
    const juliet = await julietConnects('phone', true);
    await core.send(juliet, xml('presence'));
    await received(juliet, ['a', 'b', 'c']);
    const sent = juliet.sent.filter((s) => s.name === 'message');
    expect(await core.storage.offline.count(JULIET)).toBe(3);

    await acked(juliet, sent[0]!);
    await acked(juliet, sent[1]!);
    // A stanza that was not flushed (or not by us) changes nothing.
    await acked(juliet, xml('message', { to: juliet.jid.toString() }, body('live')));

    // The connection dies before c is confirmed: c stays stored and comes again next time.
    await core.disconnect(juliet);
    await vi.waitFor(async () => expect((await core.storage.offline.list(JULIET)).map((m) => m.stanza.includes('<body>c</body>'))).toEqual([true]));
    const again = await julietConnects('phone2');
    await core.send(again, xml('presence'));
    await received(again, ['c']);
    await storedCount(0);
  });

  it('XEP-0198: the next page goes out only once the previous one is acknowledged', async () => {
    await start();
    for (let n = 0; n < 250; n++) await sendToJuliet(message([body(String(n))]));
    const juliet = await julietConnects('phone', true);
    await core.send(juliet, xml('presence'));
    await received(juliet, Array.from({ length: 200 }, (_, n) => String(n)));
    const firstPage = juliet.sent.filter((s) => s.name === 'message');
    // Unconfirmed, nothing more goes out and nothing is deleted.
    expect(await core.storage.offline.count(JULIET)).toBe(250);
    expect(bodies(juliet)).toHaveLength(200);
    for (const stanza of firstPage) await acked(juliet, stanza);
    await received(juliet, Array.from({ length: 250 }, (_, n) => String(n)));
    await storedCount(50);
    for (const stanza of juliet.sent.filter((s) => s.name === 'message').slice(200)) await acked(juliet, stanza);
    await storedCount(0);
  });

  it('XEP-0198: a flushed message re-offered unacknowledged (connection lost) stays stored once', async () => {
    await start();
    await sendToJuliet(message([body('in flight')]));
    const juliet = await julietConnects('phone', true);
    await core.send(juliet, xml('presence'));
    await received(juliet, ['in flight']);
    const [flushed] = juliet.sent.filter((s) => s.name === 'message');
    await core.disconnect(juliet);
    // What the stream-management layer does with an unacknowledged message.
    const claimed = await core.events.fire('message/offline', { stanza: flushed!, from: parseJid('romeo@example.org/garden'), to: parseJid(JULIET) });
    expect(claimed).toBe(true);
    expect(await core.storage.offline.count(JULIET)).toBe(1);
  });

  it('XEP-0160 §2: one resource receives them; when it leaves, another available resource gets what is left', async () => {
    await start();
    for (const text of ['x', 'y']) await sendToJuliet(message([body(text)]));
    const phone = await julietConnects('phone', true);
    await core.send(phone, xml('presence'));
    await received(phone, ['x', 'y']);
    const laptop = await julietConnects('laptop');
    await core.send(laptop, xml('presence'));
    expect(bodies(laptop)).toEqual([]);
    await acked(phone, phone.sent.find((s) => s.name === 'message')!);
    await core.send(phone, xml('presence', { type: 'unavailable' }));
    await received(laptop, ['y']);
    await storedCount(0);
  });

  it('a message stored while its resource is receiving (not yet available) is passed on at once', async () => {
    await start();
    const juliet = await julietConnects('balcony');
    await core.send(juliet, xml('presence'));
    // The moment between "no available resource" and the presence taking effect, replayed.
    const stanza = xml('message', { from: 'romeo@example.org/garden', to: JULIET, type: 'chat' }, body('just now'), xml('stanza-id', { xmlns: NS.stanzaId, by: JULIET, id: 'late' }));
    await core.events.fire('message/offline', { stanza, from: parseJid('romeo@example.org/garden'), to: parseJid(JULIET) });
    await received(juliet, ['just now']);
    await storedCount(0);
  });
});
