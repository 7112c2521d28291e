// s2s store-and-forward: a message for a remote domain that cannot be reached is held durably, in
// order, and retried with back-off until s2s.retry.messageDeadlineSeconds; a Herald restart (even
// kill -9) loses none; the sender gets an error only once the deadline has passed. Other stanzas
// are still bounced at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, type LogLine } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { errorOf, freePort, REFUSED_PORT, s2sYaml } from '../harness/federation.js';
import type { XmlClient } from '../harness/xml-client.js';
import { TcpProxy } from '../harness/tcp-proxy.js';
import net from 'node:net';
import { once } from 'node:events';

const open: XmlClient[] = [];
const servers: ServerProcess[] = [];

afterAll(async () => {
  for (const client of open) client.destroy();
  for (const server of servers) {
    await server.stop();
    server.cleanup();
  }
});

async function online(server: ServerProcess, user: string, domain: string, resource: string) {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  return session;
}

/**
 * Starts the peer `domain` (routing a.test to `portA`) with `user` online and available, and only
 * then makes it reachable at `routePort`, where a.test's static route to it points.
 */
async function peerComesUp(domain: string, user: string, portA: number, routePort: number): Promise<{ client: XmlClient; relay: TcpProxy }> {
  const port = await freePort();
  const peer = await ServerProcess.start({ domains: [{ name: domain }], s2sPort: port, extraYaml: s2sYaml({ 'a.test': portA }) });
  servers.push(peer);
  await peer.addUser(`${user}@${domain}`, 'pw');
  const { client } = await online(peer, user, domain, 'r');
  client.send('<presence/>');
  const relay = await TcpProxy.start({ targetPort: port, blackholeAfterBytes: Infinity, listenPort: routePort });
  return { client, relay };
}

const heldFor = (remote: string) => (l: LogLine) => l.msg === 'message held for unreachable server' && l.remote === remote;

async function heldCount(server: ServerProcess, remote: string, count: number): Promise<void> {
  while (server.logs.filter(heldFor(remote)).length < count) {
    const seen = server.logs.length;
    await server.waitForLog((l) => server.logs.indexOf(l) >= seen && heldFor(remote)(l), 15_000);
  }
}

describe('a message to an unreachable peer', () => {
  let a: ServerProcess;
  let portA: number;
  /** Where a.test's route to b.test points: closed until b.test is ready, then a relay to it. */
  let routeToB: number;

  beforeAll(async () => {
    [portA, routeToB] = [await freePort(), await freePort()];
    // Retries every 1-2 s.
    a = await ServerProcess.start({
      domains: [{ name: 'a.test' }],
      s2sPort: portA,
      extraYaml: s2sYaml({ 'b.test': routeToB }, '  retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 2 }'),
    });
    servers.push(a);
    await a.addUser('alice@a.test', 'pw');
  });

  it('is held across a kill -9 of Herald and arrives, in order, once the peer is up; newer messages queue behind', async () => {
    const alice = await online(a, 'alice', 'a.test', 'r');
    for (const id of ['held-1', 'held-2', 'held-3']) alice.client.send(`<message to='bob@b.test' id='${id}' type='chat'><body>${id}</body></message>`);
    await heldCount(a, 'b.test', 3);
    // A non-message stanza is bounced at once, as before.
    alice.client.send(`<iq to='b.test' id='ping-1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const pingError = await alice.client.next((el) => el.name === 'iq' && el.attrs.id === 'ping-1', 15_000);
    expect(errorOf(pingError).condition).toBe('remote-server-not-found');
    expect(alice.client.received.some((el) => el.name === 'message' && el.attrs.type === 'error')).toBe(false);

    await a.kill();
    a = await a.restart();
    servers[0] = a;
    // After the restart the held queue is retried at once; a newer message goes behind it.
    const alice2 = await online(a, 'alice', 'a.test', 'r2');
    alice2.client.send(`<message to='bob@b.test' id='held-4' type='chat'><body>held-4</body></message>`);
    await heldCount(a, 'b.test', 1);

    const { client: bob, relay } = await peerComesUp('b.test', 'bob', portA, routeToB);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await bob.next((m) => m.name === 'message' && m.attrs.id?.startsWith('held-') === true, 20_000)).attrs.id!);
    expect(ids).toEqual(['held-1', 'held-2', 'held-3', 'held-4']);
    expect(alice2.client.received.some((el) => el.name === 'message' && el.attrs.type === 'error')).toBe(false);
    await a.waitForLog((l) => l.msg === 'held messages delivered' && l.remote === 'b.test');
    await relay.stop();
  });
});

describe('the held-message deadline', () => {
  const DEADLINE_SECONDS = 2;
  let a: ServerProcess;

  beforeAll(async () => {
    a = await ServerProcess.start({
      domains: [{ name: 'a.test' }],
      s2sPort: await freePort(),
      extraYaml: s2sYaml({ 'gone.test': REFUSED_PORT }, `  retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 1, messageDeadlineSeconds: ${DEADLINE_SECONDS} }`),
    });
    servers.push(a);
    await a.addUser('alice@a.test', 'pw');
  });

  it('RFC 6120 §8.3.3.16: once it passes, the sender gets remote-server-not-found with the real cause, not before', async () => {
    const alice = await online(a, 'alice', 'a.test', 'r');
    const sent = Date.now();
    alice.client.send(`<message to='x@gone.test' id='late-1' type='chat'><body>anyone?</body></message>`);
    const bounce = await alice.client.next((el) => el.name === 'message' && el.attrs.id === 'late-1' && el.attrs.type === 'error', 15_000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(DEADLINE_SECONDS * 1000 - 100);
    const { condition, text } = errorOf(bounce);
    expect(condition).toBe('remote-server-not-found');
    expect(text).toContain(`TCP: connection to 127.0.0.1:${REFUSED_PORT} refused`);
    expect(text).toMatch(/not delivered within 2 s; \d+ attempts?/);
    expect(bounce.attrs.from).toBe('x@gone.test');
  });
});

describe('a message waiting for a link still being opened when Herald stops', () => {
  it('is kept and delivered after the restart, once the peer is up', async () => {
    const [portA, routeToC] = [await freePort(), await freePort()];
    // c.test's address accepts TCP and never answers: the link stays in negotiation.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(routeToC, '127.0.0.1', resolve));
    let a = await ServerProcess.start({
      domains: [{ name: 'a.test' }],
      s2sPort: portA,
      extraYaml: s2sYaml({ 'c.test': routeToC }, '  retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 2 }'),
    });
    servers.push(a);
    await a.addUser('alice@a.test', 'pw');
    const alice = await online(a, 'alice', 'a.test', 'r');
    alice.client.send(`<message to='carol@c.test' id='opening-1' type='chat'><body>opening-1</body></message>`);
    // a.test has dialled c.test: the message waits in the link's queue.
    await once(silent, 'connection');
    expect(await a.stop()).toBe(0);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));

    a = await a.restart();
    servers.push(a);
    const { client: carol, relay } = await peerComesUp('c.test', 'carol', portA, routeToC);
    const got = await carol.next((m) => m.name === 'message' && m.attrs.id === 'opening-1', 20_000);
    expect(got.getChildText('body')).toBe('opening-1');
    await relay.stop();
  });
});
