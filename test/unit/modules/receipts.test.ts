import { afterEach, describe, expect, it, vi } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { serialize } from '../../../src/xml/serialize.js';
import { SerializedStanza, type OutgoingStanza } from '../../../src/xml/serialized-stanza.js';
import { parseJid } from '../../../src/protocol/jid.js';
import { builtinModules } from '../../../src/modules/index.js';
import { receiptsModule } from '../../../src/modules/receipts/index.js';
import { createEmittedLog, RETENTION_DAYS } from '../../../src/modules/receipts/emitted-log.js';
import { computeVer } from '../../../src/modules/caps/verification.js';
import { stanzaIdOf } from '../../../src/protocol/stanza-id.js';
import { createInProcessCore, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

const NS_CAPS = 'http://jabber.org/protocol/caps';
const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';
const CAPS_NODE = 'https://herald.example/test-client';
const DAY_MS = 86_400_000;
const JULIET = 'juliet@example.org';

let core: InProcessCore;
afterEach(async () => core.close());

async function start(emit?: unknown): Promise<InProcessCore> {
  const moduleConfig = emit === undefined ? {} : { receipts: { enabled: true, options: { emit } } };
  return (core = await createInProcessCore({ moduleConfig }));
}

/** An available resource; `acks` plays a client with XEP-0198, `features` one with verified caps. */
async function online(jid: string, options: { acks?: boolean; features?: string[] } = {}): Promise<FakeSession> {
  const session = await core.connect(jid);
  session.confirmsDelivery = options.acks ?? true;
  await core.send(session, xml('presence'));
  if (options.features) await announceCaps(session, options.features);
  session.sent.splice(0);
  return session;
}

/** XEP-0115 as a client does it: caps in presence, then the answer to the server's disco#info query. */
async function announceCaps(session: FakeSession, features: string[]): Promise<void> {
  const query = (node?: string): Element =>
    xml('query', { xmlns: NS.discoInfo, node }, xml('identity', { category: 'client', type: 'pc' }), ...features.map((f) => xml('feature', { var: f })));
  const ver = computeVer(query(), 'sha-1');
  if (ver === undefined) throw new Error('test caps do not hash');
  await core.send(session, xml('presence', null, xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver })));
  const request = session.sent.find((s) => s.name === 'iq' && s.getChild('query', NS.discoInfo));
  await core.send(session, xml('iq', { type: 'result', id: request?.attrs.id, to: request?.attrs.from }, query(`${CAPS_NODE}#${ver}`)));
  await vi.waitFor(async () => expect((await core.sessions.byFullJid(session.jid.toString()))?.flags.caps).toBe(ver));
}

const LEGACY = [NS.discoInfo]; // a client known not to support receipts
const MODERN = [NS.discoInfo, NS.receipts];

/** The recipient's roster lets the sender see its presence (XEP-0184 §8). */
async function subscribed(account: string, contact: string): Promise<void> {
  await core.storage.roster.put(account, { jid: contact, subscription: 'both', ask: false, approved: false, groups: [] });
}

let ids = 0;
function content(to: string, attrs: Record<string, string | undefined> = {}, ...extra: Element[]): Element {
  return xml('message', { to, type: 'chat', id: `m${++ids}`, ...attrs }, xml('body', null, 'wherefore art thou'), xml('request', { xmlns: NS.receipts }), ...extra);
}

/** A stanza as the server would have written it to `session`: with its stanza-id. */
function asDelivered(session: FakeSession, stanza: Element): Element {
  stanza.attrs.from ??= 'romeo@example.org/orchard';
  stanza.append(xml('stanza-id', { xmlns: NS.stanzaId, by: session.jid.toBareString(), id: `sid-${++ids}` }));
  return stanza;
}

const messagesTo = (session: FakeSession): Element[] => session.sent.filter((s) => s.name === 'message');
const receiptsTo = (session: FakeSession): Element[] => messagesTo(session).filter((m) => m.getChild('received', NS.receipts));
const ack = (session: FakeSession, stanza: OutgoingStanza | undefined): Promise<boolean> => {
  if (!stanza) throw new Error('nothing to acknowledge');
  return core.events.fire('stanza/acked', { session, stanza });
};

/** Romeo sends Juliet (subscribed to each other) a content message; resolves with what Juliet got. */
async function romeoWrites(romeo: FakeSession, juliet: FakeSession, message = content(juliet.jid.toString())): Promise<Element> {
  await core.send(romeo, message);
  const got = messagesTo(juliet).at(-1);
  if (!got) throw new Error('juliet got nothing');
  return got;
}

async function lovers(julietOptions: { acks?: boolean; features?: string[] } = { features: LEGACY }): Promise<{ romeo: FakeSession; juliet: FakeSession }> {
  await start();
  await subscribed(JULIET, 'romeo@example.org');
  const romeo = await online('romeo@example.org/orchard');
  const juliet = await online(`${JULIET}/balcony`, julietOptions);
  romeo.sent.splice(0);
  return { romeo, juliet };
}

describe('XEP-0184 Message Delivery Receipts: end to end through Herald', () => {
  it('XEP-0184 §7: the content message and a client’s own ack message are routed untouched', async () => {
    const { romeo, juliet } = await lovers();
    const got = await romeoWrites(romeo, juliet);
    expect(got.getChild('request', NS.receipts)).toBeDefined();

    await core.send(juliet, xml('message', { to: 'romeo@example.org/orchard', id: 'ack1' }, xml('received', { xmlns: NS.receipts, id: got.attrs.id })));
    const [receipt] = receiptsTo(romeo);
    expect(receipt?.attrs).toMatchObject({ from: `${JULIET}/balcony`, id: 'ack1' });
    expect(receipt?.getChild('received', NS.receipts)?.attrs.id).toBe(got.attrs.id);
  });

  it('XEP-0184 §6: Herald advertises nothing for receipts and removes nothing from disco', async () => {
    await start();
    const withModule = await discoFeatures(core, 'example.org');
    await core.close();
    core = await createInProcessCore({ modules: builtinModules.filter((m) => m !== receiptsModule) });
    expect(withModule).not.toContain(NS.receipts);
    expect(withModule).toEqual(await discoFeatures(core, 'example.org'));
  });
});

describe('XEP-0184 receipts Herald emits for the recipient', () => {
  it('XEP-0184 §7: after the ack, a client known not to support receipts gets one sent for it, with <received/> only', async () => {
    const { romeo, juliet } = await lovers();
    const got = await romeoWrites(romeo, juliet, content(JULIET, { id: 'richard2-4.1.247' }));
    expect(receiptsTo(romeo)).toHaveLength(0);

    await ack(juliet, got);
    const [receipt, ...more] = receiptsTo(romeo);
    expect(more).toHaveLength(0);
    expect(receipt?.attrs).toMatchObject({ from: `${JULIET}/balcony`, to: 'romeo@example.org/orchard', type: 'chat' });
    expect(receipt?.attrs.id).toEqual(expect.any(String));
    expect(receipt?.attrs.id).not.toBe('richard2-4.1.247');
    // §5.4: no <request/> in an ack message; Herald's own stanza-id is added on delivery only.
    const children = receipt?.getChildElements().filter((c) => !c.is('stanza-id', NS.stanzaId));
    expect(children?.map((c) => `${c.name} ${String(c.attrs.xmlns)}`)).toEqual([`received ${NS.receipts}`]);
    expect(receipt?.getChild('received', NS.receipts)?.attrs.id).toBe('richard2-4.1.247');
  });

  it('XEP-0184 §7: a message that reached the client as text from another node gets its receipt once acknowledged; text asking for none is not parsed', async () => {
    const { romeo, juliet } = await lovers();
    const got = await romeoWrites(romeo, juliet, content(JULIET, { id: 'from-node-1' }));
    await ack(juliet, new SerializedStanza(serialize(got)));
    expect(receiptsTo(romeo).map((r) => r.getChild('received', NS.receipts)?.attrs.id)).toEqual(['from-node-1']);

    let built = 0;
    const plain = new (class extends SerializedStanza {
      override element() {
        built += 1;
        return super.element();
      }
    })(`<message to='${JULIET}/balcony' from='romeo@example.org/orchard' id='no-request' type='chat'><body>hi</body></message>`);
    await ack(juliet, plain);
    expect(built).toBe(0);
    expect(receiptsTo(romeo)).toHaveLength(1);
  });

  it('XEP-0184 §7: nothing is emitted while the delivery is not confirmed by an ack', async () => {
    const { romeo, juliet } = await lovers();
    await romeoWrites(romeo, juliet);
    expect(receiptsTo(romeo)).toHaveLength(0);
  });

  it('XEP-0184 §6: nothing is emitted for a client whose caps advertise urn:xmpp:receipts', async () => {
    const { romeo, juliet } = await lovers({ features: MODERN });
    await ack(juliet, await romeoWrites(romeo, juliet));
    expect(receiptsTo(romeo)).toHaveLength(0);
  });

  it('XEP-0184 §6: nothing is emitted when whether the client supports receipts is unknown', async () => {
    const { romeo, juliet } = await lovers({});
    await ack(juliet, await romeoWrites(romeo, juliet));
    expect(receiptsTo(romeo)).toHaveLength(0);
  });

  it('XEP-0184 §6: support is asked for the acknowledging resource, by its full JID', async () => {
    const { romeo } = await lovers();
    const balcony = await online(`${JULIET}/balcony2`, { features: MODERN });
    const chamber = await online(`${JULIET}/chamber`, { features: LEGACY });
    const queried: string[] = [];
    core.events.on('caps/query', (event) => void queried.push(`${event.jid.toString()} ${event.feature}`), 100);
    await core.send(romeo, content(JULIET));

    await ack(balcony, messagesTo(balcony).at(-1));
    expect(receiptsTo(romeo)).toHaveLength(0);
    await ack(chamber, messagesTo(chamber).at(-1));
    expect(receiptsTo(romeo).map((r) => r.attrs.from)).toEqual([`${JULIET}/chamber`]);
    expect(queried).toEqual([`${JULIET}/balcony2 ${NS.receipts}`, `${JULIET}/chamber ${NS.receipts}`]);
  });

  it('XEP-0184 §4: never twice for one content message: two acks, two resources', async () => {
    const { romeo, juliet } = await lovers();
    const chamber = await online(`${JULIET}/chamber`, { features: LEGACY });
    await core.send(romeo, content(JULIET));
    const [first, second] = [messagesTo(juliet).at(-1), messagesTo(chamber).at(-1)];
    expect(first && stanzaIdOf(first, JULIET)).toEqual(expect.any(String));
    expect(second && stanzaIdOf(second, JULIET)).toBe(first && stanzaIdOf(first, JULIET));

    await Promise.all([ack(juliet, first), ack(chamber, second)]);
    await ack(juliet, first);
    expect(receiptsTo(romeo)).toHaveLength(1);
  });

  it('XEP-0184 §4: the record of what was answered is in storage, so it holds for other nodes and after a restart', async () => {
    await start();
    const clock = { now: () => Date.UTC(2026, 0, 1) };
    expect(await createEmittedLog(core.storage.kv, clock).claim(JULIET, 'sid-1')).toBe(true);
    // A fresh log over the same storage: what another node, or this one after a restart, would use.
    expect(await createEmittedLog(core.storage.kv, clock).claim(JULIET, 'sid-1')).toBe(false);
    expect(await createEmittedLog(core.storage.kv, clock).claim('romeo@example.org', 'sid-1')).toBe(true);
  });

  it(`XEP-0184 §4: records are pruned once older than ${RETENTION_DAYS} days`, async () => {
    const { romeo, juliet } = await lovers();
    const first = await romeoWrites(romeo, juliet);
    await ack(juliet, first);
    const key = `${JULIET} ${stanzaIdOf(first, JULIET)}`;
    expect(await core.storage.kv.get('receipts:emitted', key)).toBeDefined();

    core.clock.advance((RETENTION_DAYS + 1) * DAY_MS);
    await ack(juliet, await romeoWrites(romeo, juliet));
    expect(await core.storage.kv.get('receipts:emitted', key)).toBeUndefined();
    expect(receiptsTo(romeo)).toHaveLength(2);
  });

  it('XEP-0184 §5.5: storing a message offline emits nothing', async () => {
    await start();
    await subscribed(JULIET, 'romeo@example.org');
    await core.accounts.create(parseJid(JULIET), 'secret');
    const romeo = await online('romeo@example.org/orchard');
    // The offline store, reduced to what it does at store time.
    core.events.on('message/offline', async ({ stanza, to }) => {
      const stanzaId = stanzaIdOf(stanza, to.toBareString()) ?? '';
      return (await core.storage.offline.store(to.toBareString(), { stanzaId, stanza: stanza.toString(), storedAt: core.clock.now() }, 100)) === 'stored';
    });

    await core.send(romeo, content(JULIET));
    expect(await core.storage.offline.count(JULIET)).toBe(1);
    expect(messagesTo(romeo)).toHaveLength(0);
  });

  it('XEP-0184 §8: nothing is emitted to a sender not allowed to see the recipient’s presence', async () => {
    await start();
    const tybalt = await online('tybalt@example.org/street');
    const juliet = await online(`${JULIET}/balcony`, { features: LEGACY });
    tybalt.sent.splice(0);
    await ack(juliet, await romeoWrites(tybalt, juliet, content(JULIET)));
    expect(receiptsTo(tybalt)).toHaveLength(0);
  });

  it('emit: never: nothing is emitted', async () => {
    await start('never');
    await subscribed(JULIET, 'romeo@example.org');
    const romeo = await online('romeo@example.org/orchard');
    const juliet = await online(`${JULIET}/balcony`, { features: LEGACY });
    romeo.sent.splice(0);
    await ack(juliet, await romeoWrites(romeo, juliet));
    expect(receiptsTo(romeo)).toHaveLength(0);
  });

  it('emit: an unknown value fails loading, naming the option, what was found and what is expected', async () => {
    await expect(createInProcessCore({ moduleConfig: { receipts: { enabled: true, options: { emit: 'always' } } } })).rejects.toThrow(
      `modules.receipts.options.emit: expected one of 'on-confirmed-delivery', 'never', found "always"`,
    );
    core = await createInProcessCore();
  });
});

describe('XEP-0184 content messages Herald does not answer', () => {
  const cases: Array<[string, (juliet: FakeSession) => Element]> = [
    ['XEP-0184 §7: a message without <request/>', () => xml('message', { type: 'chat', id: 'x1' }, xml('body', null, 'hi'))],
    ['XEP-0184 §7: a content message without an id', (j) => content(j.jid.toString(), { id: undefined })],
    ['XEP-0184 §5: a message of type error', (j) => content(j.jid.toString(), { type: 'error' })],
    ['XEP-0184 §5.3: a message of type groupchat', (j) => content(j.jid.toString(), { type: 'groupchat' })],
    ['XEP-0184 §5.4: an ack message, even one asking for a receipt', (j) => content(j.jid.toString(), {}, xml('received', { xmlns: NS.receipts, id: 'm0' }))],
    [
      'XEP-0184 §5.5: a carbon wrapper, even one carrying a <request/> of its own',
      (j) => xml('message', { id: 'cc1', type: 'chat' }, xml('request', { xmlns: NS.receipts }), xml('received', { xmlns: NS_CARBONS }, xml('forwarded', { xmlns: NS_FORWARD }, content(j.jid.toString())))),
    ],
    [
      'XEP-0184 §5.5: a message archive result wrapping a content message',
      (j) => xml('message', { id: 'mam1' }, xml('request', { xmlns: NS.receipts }), xml('result', { xmlns: 'urn:xmpp:mam:2' }, xml('forwarded', { xmlns: NS_FORWARD }, content(j.jid.toString())))),
    ],
  ];

  for (const [name, build] of cases) {
    it(`${name} gets no receipt`, async () => {
      const { romeo, juliet } = await lovers();
      await ack(juliet, asDelivered(juliet, build(juliet)));
      expect(receiptsTo(romeo)).toHaveLength(0);
    });
  }

  it('XEP-0184 §5.5: a carbon copy of a content message gets no receipt', async () => {
    const { romeo, juliet } = await lovers();
    const chamber = await online(`${JULIET}/chamber`, { features: LEGACY });
    await core.send(chamber, xml('iq', { type: 'set', id: 'c1' }, xml('enable', { xmlns: NS_CARBONS })));
    await core.send(romeo, content(`${JULIET}/balcony`));
    const carbon = messagesTo(chamber).find((m) => m.getChild('received', NS_CARBONS));
    expect(carbon).toBeDefined();

    await ack(chamber, carbon);
    expect(receiptsTo(romeo)).toHaveLength(0);
  });
});
