// Incoming server-to-server streams cannot be held open or used to make Herald dial out at will:
// a stream that authenticates no domain is closed after limits.negotiationTimeoutSeconds, and
// dialback verifications are shared between identical requests, capped and rate-limited per
// stream (issue 13, items 5 and 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { errorOf, freePort, rawS2s } from '../harness/federation.js';
import { SilentS2sPeer } from '../harness/silent-s2s-peer.js';
import { until } from '../harness/s2s-side.js';
import type { XmlClient } from '../harness/xml-client.js';
import { dialbackKey } from '../../src/s2s/dialback-key.js';

const NEGOTIATION_TIMEOUT_SECONDS = 2;
const open: XmlClient[] = [];
const peers: SilentS2sPeer[] = [];
let b: ServerProcess;
let bPort: number;
/** The authoritative server of a.test (answers verifications) and of mute.test (never does). */
let authority: SilentS2sPeer;
let mute: SilentS2sPeer;
/** Receives b.test's links but strings dialback along, never answering it. */
let chatty: SilentS2sPeer;
const CONNECT_TIMEOUT_SECONDS = 2;

beforeAll(async () => {
  [authority, mute, chatty] = await Promise.all([
    SilentS2sPeer.start('a.test', { verify: 'valid' }),
    SilentS2sPeer.start('mute.test'),
    SilentS2sPeer.start('chatty.test', { result: 'chatter' }),
  ]);
  peers.push(authority, mute, chatty);
  bPort = await freePort();
  b = await ServerProcess.start({
    domains: [{ name: 'b.test' }],
    s2sPort: bPort,
    extraYaml: [
      's2s:',
      `  connectTimeoutSeconds: ${CONNECT_TIMEOUT_SECONDS}`,
      '  routes:',
      `    a.test: 127.0.0.1:${authority.port}`,
      `    mute.test: 127.0.0.1:${mute.port}`,
      `    chatty.test: 127.0.0.1:${chatty.port}`,
      'limits:',
      `  negotiationTimeoutSeconds: ${NEGOTIATION_TIMEOUT_SECONDS}`,
    ].join('\n'),
  });
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await b?.stop();
  b?.cleanup();
  await Promise.all(peers.map((peer) => peer.stop()));
});

async function stream(from: string): Promise<{ client: XmlClient; streamId: string }> {
  const opened = await rawS2s(bPort, from, 'b.test');
  open.push(opened.client);
  return opened;
}

const results = (client: XmlClient) => client.received.filter((el) => el.name === 'db:result');

describe('negotiation deadline on incoming server streams', () => {
  it('RFC 6120 §4.9.3.4: a stream that authenticates no domain in time gets connection-timeout, even while it keeps sending', async () => {
    const started = Date.now();
    const { client } = await stream('slow.test');
    // Whitespace keeps an idle timer happy (RFC 6120 §4.6.1); it must not keep negotiation open.
    const keepalive = setInterval(() => client.send(' '), 200);
    try {
      const error = await client.next((el) => el.name === 'stream:error', (NEGOTIATION_TIMEOUT_SECONDS + 5) * 1000);
      expect(error.getChild('connection-timeout', 'urn:ietf:params:xml:ns:xmpp-streams')).toBeDefined();
      expect(error.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-streams')).toMatch(/no domain authenticated within 2 s/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(NEGOTIATION_TIMEOUT_SECONDS * 1000 - 200);
      await client.closed();
    } finally {
      clearInterval(keepalive);
    }
  });

  it('a stream that authenticated a domain is not closed by the negotiation deadline', async () => {
    const { client, streamId } = await stream('a.test');
    client.send(`<db:result from='a.test' to='b.test'>${dialbackKey('any', 'b.test', 'a.test', streamId)}</db:result>`);
    expect((await client.next('db:result', 10_000)).attrs.type).toBe('valid');
    // Time passing is what is tested here: the stream outlives the deadline.
    const keepalive = setInterval(() => client.send(' '), 200);
    try {
      await expect(client.closed((NEGOTIATION_TIMEOUT_SECONDS + 1) * 1000)).rejects.toThrow(/not closed/);
    } finally {
      clearInterval(keepalive);
    }
    expect(client.received.some((el) => el.name === 'stream:error')).toBe(false);
  });
});

describe('dialback verifications (XEP-0220) on one incoming stream', () => {
  it('identical <db:result/> requests share one verification: one connection to the authoritative server', async () => {
    const before = authority.connections.length;
    const { client, streamId } = await stream('a.test');
    const key = dialbackKey('whatever-the-authority-says', 'b.test', 'a.test', streamId);
    // One write, so all 20 are read while the first verification is still in flight.
    client.send(`<db:result from='a.test' to='b.test'>${key}</db:result>`.repeat(20));
    await until(() => results(client).length === 20, '20 dialback answers');
    expect(results(client).map((el) => el.attrs.type)).toEqual(Array(20).fill('valid'));
    expect(authority.connections.length - before).toBe(1);
  });

  it('more than s2s.dialback.maxPendingPerStream (10) pending requests get a resource-constraint dialback error, with no connection', async () => {
    const before = mute.connections.length;
    const { client, streamId } = await stream('mute.test');
    for (let i = 0; i < 25; i++) client.send(`<db:result from='mute.test' to='b.test'>${dialbackKey(`key-${i}`, 'b.test', 'mute.test', streamId)}</db:result>`);
    await until(() => results(client).length === 15, '15 refused dialback requests');
    for (const refused of results(client)) {
      expect(refused.attrs.type).toBe('error');
      expect(refused.attrs.from).toBe('b.test');
      expect(refused.attrs.to).toBe('mute.test');
      const { condition, text } = errorOf(refused);
      expect(condition).toBe('resource-constraint');
      expect(text).toMatch(/10 dialback verifications are already pending on this stream/);
    }
    // The ten accepted ones go to mute.test's server one at a time, not ten (or 25) at once.
    await until(() => mute.connections.length - before >= 1, 'a verification connection');
    expect(mute.connections.length - before).toBe(1);
    expect(client.received.some((el) => el.name === 'stream:error')).toBe(false);
  });

  it('more than s2s.dialback.requestsPerMinute (60) requests end the stream with policy-violation', async () => {
    const { client, streamId } = await stream('mute.test');
    for (let i = 0; i < 70; i++) client.send(`<db:result from='mute.test' to='b.test'>${dialbackKey(`flood-${i}`, 'b.test', 'mute.test', streamId)}</db:result>`);
    const error = await client.next((el) => el.name === 'stream:error', 10_000);
    expect(error.getChild('policy-violation', 'urn:ietf:params:xml:ns:xmpp-streams')).toBeDefined();
    expect(error.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-streams')).toMatch(/more than 60 dialback requests in a minute/);
    await client.closed();
  });
});

describe('deadlines on outgoing negotiation', () => {
  it('a peer that keeps sending other elements instead of answering dialback still times out (remote-server-timeout)', async () => {
    await b.addUser('bob@b.test', 'pw');
    const bob = await login(b.ports.c2s, 'bob', 'pw', 'r', 'b.test');
    open.push(bob.client);
    const started = Date.now();
    bob.client.send(`<iq to='chatty.test' id='chatty-1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const reply = await bob.client.next((el) => el.name === 'iq' && el.attrs.id === 'chatty-1', 20_000);
    const { condition, text } = errorOf(reply);
    expect(condition).toBe('remote-server-timeout');
    expect(text).toBe(`dialback: no answer within ${2 * CONNECT_TIMEOUT_SECONDS} s`);
    // The dialback step gets twice connectTimeoutSeconds (the peer dials back to us first).
    expect(Date.now() - started).toBeLessThan((2 * CONNECT_TIMEOUT_SECONDS + 3) * 1000);
  });
});
