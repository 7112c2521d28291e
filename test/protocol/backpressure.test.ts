// Backpressure and bounds on what Herald holds for a client (issue 13, items 1, 3, 4 and 6): a
// long offline queue, a client that stops reading, one that never acknowledges, a hibernated
// session holding more than a socket buffer — each reaches the client whole and in order, or
// ends up in offline storage; nothing is silently dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { connectSecured, login, scramAuth } from '../harness/login.js';
import { nextPresence } from '../harness/im.js';
import { answerAckRequests, enableSm, NS_SM } from '../harness/stream-management.js';
import type { XmlClient } from '../harness/xml-client.js';

const MAX_UNACKED = 50;
const BIG = 'x'.repeat(200_000);
let server: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: [
      'limits:',
      '  bytesPerSecond: 1000000000',
      '  maxStanzaBytes: 1048576',
      `  maxUnackedStanzas: ${MAX_UNACKED}`,
      '  maxQueuedBytesPerSession: 67108864',
      '  resumeTimeoutSeconds: 120',
      '  tlsHandshakeTimeoutSeconds: 1',
    ].join('\n'),
  });
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) await server.addUser(`${user}@localhost`, 'pw');
}, 60_000);

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

async function online(user: string, resource: string, sm: 'no-sm' | 'sm' | 'sm-resume' = 'no-sm') {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  open.push(session.client);
  const enabled = sm === 'no-sm' ? undefined : await enableSm(session.client, sm === 'sm-resume');
  session.client.send('<presence/>');
  await nextPresence(session.client, session.jid);
  return { ...session, enabled };
}

/** Waits until every stanza `client` sent so far has been handled by the server. */
async function handled(client: XmlClient, timeoutMs = 60_000): Promise<void> {
  const id = `ping-${Math.random().toString(36).slice(2)}`;
  client.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await client.next((el) => el.attrs.id === id, timeoutMs);
}

const chat = (to: string, id: string, text: string) => `<message to='${to}' type='chat' id='${id}'><body>${text}</body></message>`;
const bodyIds = (client: XmlClient): string[] =>
  client.received.filter((el: Element) => el.name === 'message' && el.getChild('body') !== undefined).map((el: Element) => el.attrs.id ?? '');

/** Resolves once `client` has received `count` messages with a body (however they arrive). */
async function receivedBodies(client: XmlClient, count: number, timeoutMs = 60_000): Promise<string[]> {
  while (bodyIds(client).length < count) await client.next((el) => el.name === 'message', timeoutMs);
  return bodyIds(client);
}

async function offlineCount(jid: string): Promise<number> {
  const result = await server.cli(['user', 'stats', jid]);
  return Number(/(\d+) offline/.exec(result.stdout)?.[1] ?? NaN);
}

/** 3 real messages among 120 of 200 KB (24 MB in all, more than a connection may buffer). */
async function fillOfflineQueue(sender: XmlClient, to: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < 123; n++) {
    const id = n % 41 === 0 ? `real-${n}` : `junk-${n}`;
    ids.push(id);
    sender.send(chat(to, id, id.startsWith('real') ? `hello ${n}` : BIG));
  }
  await handled(sender);
  return ids;
}

describe('offline flush (issue 13 item 1)', () => {
  it('XEP-0160 §2: a 24 MB offline queue reaches a client without stream management whole and in order, then leaves storage', async () => {
    const alice = await online('alice', 'desk');
    const ids = await fillOfflineQueue(alice.client, 'bob@localhost');
    expect(await offlineCount('bob@localhost')).toBe(123);

    const bob = await online('bob', 'laptop');
    expect(await receivedBodies(bob.client, 123)).toEqual(ids);
    await handled(bob.client);
    expect(await offlineCount('bob@localhost')).toBe(0);
  }, 60_000);

  it('XEP-0198: the same queue reaches a client with stream management, deleted as it acknowledges', async () => {
    const alice = await online('alice', 'desk2');
    const ids = await fillOfflineQueue(alice.client, 'carol@localhost');

    const carol = await login(server.ports.c2s, 'carol', 'pw', 'phone');
    open.push(carol.client);
    await enableSm(carol.client);
    answerAckRequests(carol.client);
    carol.client.send('<presence/>');
    expect(await receivedBodies(carol.client, 123)).toEqual(ids);
    // Once the server asked for (and got) the last acknowledgement, nothing is left stored.
    await expectEventually(async () => (await offlineCount('carol@localhost')) === 0);
  }, 60_000);
});

describe('a client that stops reading (issue 13 item 6)', () => {
  it('its sender is slowed, not the reader dropped; when it reads again everything arrives in order', async () => {
    const dave = await online('dave', 'slow');
    const alice = await online('alice', 'fast');
    dave.client.pause();
    const ids = Array.from({ length: 3000 }, (_, n) => `slow-${n}`);
    const text = 'y'.repeat(10_000);
    alice.client.send(ids.map((id) => chat(dave.jid, id, text)).join(''));
    await server.waitForLog((l) => l.msg === 'client is not keeping up; pacing its senders' && l.jid === dave.jid, 30_000);
    const id = 'after-flood';
    alice.client.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    // The server still serves others (a login completes), but has stopped reading alice: most of
    // her 30 MB is still on her side, and her ping, queued behind it, is unanswered.
    const probe = await login(server.ports.c2s, 'alice', 'pw', 'probe');
    probe.client.destroy();
    expect(alice.client.unsentBytes).toBeGreaterThan(10_000_000);
    expect(alice.client.received.some((el: Element) => el.attrs.id === id)).toBe(false);
    dave.client.resume();
    expect(await receivedBodies(dave.client, 3000, 120_000)).toEqual(ids);
    await alice.client.next((el) => el.attrs.id === id, 60_000);
    expect(dave.client.isClosed).toBe(false);
  }, 120_000);
});

describe('bounds on stream management (issue 13 items 3 and 4)', () => {
  it('XEP-0198: a client that never acknowledges is ended at maxUnackedStanzas; every message goes to offline storage, in order', async () => {
    const erin = await online('erin', 'mute', 'sm');
    const alice = await online('alice', 'chatty');
    const ids = Array.from({ length: 3 * MAX_UNACKED }, (_, n) => `unacked-${n}`);
    alice.client.send(ids.map((id) => chat('erin@localhost', id, id)).join(''));
    expect(await erin.client.streamError(30_000)).toBe('policy-violation');
    await handled(alice.client);
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === erin.jid);
    expect(alice.client.received.filter((el: Element) => el.attrs.type === 'error')).toEqual([]);

    const again = await online('erin', 'back');
    expect(await receivedBodies(again.client, ids.length)).toEqual(ids);
  });

  it('XEP-0198 §5: a hibernated session holding 36 MB is resumed: <resumed/> first, then everything in order', async () => {
    const frank = await online('frank', 'phone', 'sm-resume');
    const alice = await online('alice', 'sender');
    frank.client.destroy();
    await server.waitForLog((l) => l.msg === 'connection lost; session kept for resumption' && l.jid === frank.jid);
    // 45 stanzas of 800 KB (36 MB): under maxUnackedStanzas, over the 16 MiB a socket may buffer.
    const ids = Array.from({ length: 45 }, (_, n) => `held-${n}`);
    for (const id of ids) alice.client.send(chat(frank.jid, id, BIG.repeat(4)));
    await handled(alice.client);

    const { client } = await connectSecured(server.ports.c2s);
    open.push(client);
    await scramAuth(client, 'SCRAM-SHA-256', 'frank', 'pw');
    await client.open();
    await client.next('stream:features');
    // Frank had received his own presence (h=1) before the connection died.
    client.send(`<resume xmlns='${NS_SM}' previd='${frank.enabled!.attrs.id}' h='1'/>`);
    await client.next('resumed', 30_000);
    expect(await receivedBodies(client, 45)).toEqual(ids);
    const first = (name: string) => client.received.findIndex((el: Element) => el.name === name);
    expect(first('resumed')).toBeLessThan(first('message'));
  }, 60_000);
});

describe('TLS handshake deadline (issue 13 item 5)', () => {
  it('a STARTTLS handshake that never starts is dropped after tlsHandshakeTimeoutSeconds', async () => {
    const { XmlClient } = await import('../harness/xml-client.js');
    const client = await XmlClient.connect(server.ports.c2s);
    open.push(client);
    await client.open();
    await client.next('stream:features');
    client.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await client.next('proceed');
    // No ClientHello ever follows; negotiationTimeoutSeconds (60 s) is far away.
    await client.closed(10_000);
  });
});

/** Polls a condition that changes on the server's own time (storage after acknowledgements). */
async function expectEventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
