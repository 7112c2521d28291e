// XEP-0352 Client State Indication over real sockets: an inactive client gets presence updates
// (the latest per contact resource), chat states and other chatter only together with the next
// urgent stanza, on <active/>, or when the bounded queue is full — always in the order sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { bind, connectDirectTls, connectSecured, features, login, scramAuth } from '../harness/login.js';
import { letSeePresence, nextMessage, nextPresence } from '../harness/im.js';
import { enableSm, NS_SM } from '../harness/stream-management.js';
import { NS_BIND2, sasl2Scram } from '../harness/sasl2.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';

const CSI = 'urn:xmpp:csi:0';
const CHAT_STATES = 'http://jabber.org/protocol/chatstates';
const QUEUE_SIZE = 4;
let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: ['modules:', '  csi:', '    options:', `      queueSize: ${QUEUE_SIZE}`].join('\n') });
  for (const user of ['alice', 'bob', 'carol']) await server.addUser(`${user}@localhost`, 'pw');
  await letSeePresence(server.ports.c2s, 'bob', 'alice', 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** Alice on her phone: available, stream management on (its <r/>/<a/> round trip is our probe). */
async function phone(resource: string): Promise<{ client: XmlClient; jid: string }> {
  const session = await login(server.ports.c2s, 'alice', 'pw', resource);
  await enableSm(session.client);
  session.client.send('<presence/>');
  await nextPresence(session.client, session.jid);
  return session;
}

/** Sends <inactive/> and waits until the server processed it (nonzas are handled in order). */
async function goInactive(client: XmlClient): Promise<void> {
  client.send(`<inactive xmlns='${CSI}'/>`);
  await drained(client);
}

/**
 * Everything the server wrote to `client` before this point has arrived: an <a/> answers our <r/>
 * on the same socket, behind any stanza written before it, and (a nonza) it flushes nothing.
 */
async function drained(client: XmlClient): Promise<void> {
  client.send(`<r xmlns='${NS_SM}'/>`);
  await client.next((el) => el.name === 'a' && el.attrs.xmlns === NS_SM);
}

/** Bob's stanzas are handled in order: once his ping is answered, all before it were routed. */
async function routed(bob: XmlClient): Promise<void> {
  const id = `ping-${Math.random().toString(36).slice(2)}`;
  bob.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await bob.next((el) => el.attrs.id === id);
}

const chatState = (to: string, state: string, id: string) => `<message to='${to}' type='chat' id='${id}'><${state} xmlns='${CHAT_STATES}'/></message>`;
const fromBob = (el: Element) => (el.attrs.from ?? '').startsWith('bob@localhost/');
const stampedByServer = (el: Element) => el.getChild('delay', 'urn:xmpp:delay')?.attrs.from === 'localhost';

describe('XEP-0352 §4.1 discovering support', () => {
  it('XEP-0352 §4.1: <csi/> is a stream feature once authenticated, not before', async () => {
    const { client, features: before } = await connectSecured(server.ports.c2s);
    expect(before.getChild('csi', CSI)).toBeUndefined();
    expect((await scramAuth(client, 'SCRAM-SHA-256', 'carol', 'pw')).ok).toBe(true);
    await client.open('localhost');
    expect((await features(client)).getChild('csi', CSI)).toBeDefined();
    client.destroy();
  });
});

describe('XEP-0352 §3.2 server behaviour while inactive', () => {
  it('XEP-0352 §3.2: presence updates and chat states wait, only the latest presence per resource, and a message flushes them first, in order', async () => {
    const alice = await phone('pocket');
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'desk');
    bob.client.send('<presence/>');
    await nextPresence(alice.client, bob.jid);
    await goInactive(alice.client);

    bob.client.send(`<presence><show>away</show></presence>`);
    bob.client.send(chatState(alice.jid, 'composing', 'cs1'));
    bob.client.send(`<presence><show>dnd</show></presence>`);
    await routed(bob.client);
    await drained(alice.client);
    expect(alice.client.received.filter(fromBob).filter((el) => el.name === 'presence' && el.getChildText('show'))).toEqual([]);
    expect(alice.client.received.some((el) => el.attrs.id === 'cs1')).toBe(false);

    bob.client.send(`<message to='${alice.jid}' type='chat' id='body1'><body>wake up</body></message>`);
    await nextMessage(alice.client, (el) => el.attrs.id === 'body1');
    const after = alice.client.received.slice(alice.client.received.findIndex((el) => el.attrs.id === 'cs1'));
    const seen = after.filter(fromBob).map((el) => el.attrs.id ?? `presence:${el.getChildText('show')}`);
    // 'away' was superseded by 'dnd', which took the newest place: behind the chat state.
    expect(seen).toEqual(['cs1', 'presence:dnd', 'body1']);
    expect(stampedByServer(after[0]!)).toBe(true); // XEP-0203: held stanzas say when they arrived
    expect(alice.client.received.some((el) => el.getChildText('show') === 'away')).toBe(false);
    for (const c of [alice.client, bob.client]) c.destroy();
  });

  it('XEP-0352 §4.2: <active/> delivers what waited at once', async () => {
    const alice = await phone('active-again');
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'chatter');
    await goInactive(alice.client);
    bob.send(chatState(alice.jid, 'composing', 'act1'));
    bob.send(chatState(alice.jid, 'paused', 'act2'));
    await routed(bob);
    await drained(alice.client);
    expect(alice.client.received.some((el) => el.attrs.id === 'act1')).toBe(false);
    alice.client.send(`<active xmlns='${CSI}'/>`);
    await nextMessage(alice.client, (el) => el.attrs.id === 'act2');
    expect(alice.client.received.filter((el) => el.attrs.id?.startsWith('act')).map((el) => el.attrs.id)).toEqual(['act1', 'act2']);
    // Active again: the next chat state comes at once.
    bob.send(chatState(alice.jid, 'active', 'act3'));
    await nextMessage(alice.client, (el) => el.attrs.id === 'act3');
    for (const c of [alice.client, bob]) c.destroy();
  });

  it(`XEP-0352 §3.2: the held queue is bounded (queueSize ${QUEUE_SIZE}): when full, everything goes, in order`, async () => {
    const alice = await phone('bounded');
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'bounded');
    await goInactive(alice.client);
    const ids = Array.from({ length: QUEUE_SIZE }, (_, i) => `q${i}`);
    for (const id of ids) bob.send(chatState(alice.jid, 'composing', id));
    await routed(bob);
    await drained(alice.client);
    expect(alice.client.received.some((el) => el.attrs.id === 'q0')).toBe(false);
    bob.send(chatState(alice.jid, 'paused', 'q-last'));
    await nextMessage(alice.client, (el) => el.attrs.id === 'q-last');
    expect(alice.client.received.filter((el) => el.attrs.id?.startsWith('q')).map((el) => el.attrs.id)).toEqual([...ids, 'q-last']);
    for (const c of [alice.client, bob]) c.destroy();
  });

  it('XEP-0352 §3.2: held stanzas stay under 128 KiB of XML: the one that would pass it releases them all, in order', async () => {
    const alice = await phone('bytes');
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'bytes');
    await goInactive(alice.client);
    const padding = 'x'.repeat(50 * 1024);
    const padded = (id: string) => `<message to='${alice.jid}' type='chat' id='${id}'><composing xmlns='${CHAT_STATES}'/><pad xmlns='urn:example:pad'>${padding}</pad></message>`;
    bob.send(padded('big1') + padded('big2'));
    await routed(bob);
    await drained(alice.client);
    expect(alice.client.received.some((el) => el.attrs.id === 'big1')).toBe(false);
    bob.send(padded('big3'));
    await nextMessage(alice.client, (el) => el.attrs.id === 'big3');
    expect(alice.client.received.filter((el) => el.attrs.id?.startsWith('big')).map((el) => el.attrs.id)).toEqual(['big1', 'big2', 'big3']);
    for (const c of [alice.client, bob]) c.destroy();
  });

  it('XEP-0352 §3.2: what was held is not lost when the session ends: a held receipt reaches offline storage', async () => {
    const { client, jid } = await login(server.ports.c2s, 'carol', 'pw', 'leaving');
    await enableSm(client); // not resumable: closing the stream ends the session
    client.send('<presence/>');
    await nextPresence(client, jid);
    await goInactive(client);
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'receipt');
    bob.send(`<message to='${jid}' type='chat' id='rcpt1'><received xmlns='urn:xmpp:receipts' id='earlier'/></message>`);
    await routed(bob);
    await drained(client);
    expect(client.received.some((el) => el.attrs.id === 'rcpt1')).toBe(false);
    client.send('</stream:stream>');
    await client.closed();
    const again = await login(server.ports.c2s, 'carol', 'pw', 'back');
    again.client.send('<presence/>');
    const stored = await nextMessage(again.client, (el) => el.attrs.id === 'rcpt1');
    expect(stored.getChild('received', 'urn:xmpp:receipts')?.attrs.id).toBe('earlier');
    for (const c of [again.client, bob]) c.destroy();
  });

  it('XEP-0352 §3.2: IQs are never held', async () => {
    const alice = await phone('iq');
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'iq');
    await goInactive(alice.client);
    bob.send(chatState(alice.jid, 'composing', 'before-iq'));
    bob.send(`<iq type='get' id='v1' to='${alice.jid}'><query xmlns='jabber:iq:version'/></iq>`);
    const iq = await alice.client.next((el) => el.name === 'iq' && el.attrs.id === 'v1');
    expect(iq.attrs.type).toBe('get');
    // The chat state before it was flushed first, keeping bob's order.
    expect(alice.client.received.filter((el) => el.attrs.id === 'before-iq' || el.attrs.id === 'v1').map((el) => el.attrs.id)).toEqual(['before-iq', 'v1']);
    for (const c of [alice.client, bob]) c.destroy();
  });

  it('XEP-0352 §5.2: a client state is not restored by resumption: the resumed stream is active', async () => {
    const first = await login(server.ports.c2s, 'alice', 'pw', 'resumer');
    const enabled = await enableSm(first.client, true);
    await goInactive(first.client);
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'resume');
    bob.send(chatState(first.jid, 'composing', 'r1'));
    await routed(bob);
    await drained(first.client);
    expect(first.client.received.some((el) => el.attrs.id === 'r1')).toBe(false);
    first.client.destroy();
    await server.waitForLog((line) => line.msg === 'connection lost; session kept for resumption');

    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'alice', 'pw');
    await client.open('localhost');
    await features(client);
    client.send(`<resume xmlns='${NS_SM}' previd='${enabled.attrs.id}' h='0'/>`);
    await client.next('resumed');
    await nextMessage(client, (el) => el.attrs.id === 'r1'); // held on the old stream, delivered now
    bob.send(chatState(first.jid, 'paused', 'r2'));
    await nextMessage(client, (el) => el.attrs.id === 'r2'); // and nothing is held any more
    for (const c of [client, bob]) c.destroy();
  });
});

describe('XEP-0386 inline CSI', () => {
  it('XEP-0386 §2.2: <inactive/> inside <bind/> starts the session inactive; CSI is listed inline', async () => {
    const { client, features: offer } = await connectDirectTls(server.ports.directTls);
    const inlineVars = offer.getChild('authentication', 'urn:xmpp:sasl:2')?.getChild('inline')?.getChild('bind', NS_BIND2)?.getChild('inline')?.getChildren('feature').map((f) => f.attrs.var);
    expect(inlineVars).toContain(CSI);
    const result = await sasl2Scram(
      client,
      { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw' },
      { inline: `<bind xmlns='${NS_BIND2}'><tag>Phone</tag><enable xmlns='${NS_SM}'/><inactive xmlns='${CSI}'/></bind>` },
    );
    const jid = result.outcome.getChildText('authorization-identifier')!;
    await features(client);
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'bind2');
    bob.send(chatState(jid, 'composing', 'b1'));
    await routed(bob);
    await drained(client);
    expect(client.received.some((el) => el.attrs.id === 'b1')).toBe(false);
    bob.send(`<message to='${jid}' type='chat' id='b2'><body>hi phone</body></message>`);
    await nextMessage(client, (el) => el.attrs.id === 'b2');
    expect(client.received.filter((el) => el.attrs.id?.startsWith('b')).map((el) => el.attrs.id)).toEqual(['b1', 'b2']);
    for (const c of [client, bob]) c.destroy();
  });
});
