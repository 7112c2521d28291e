// The life of outgoing federation links with real Herald processes on loopback: idle close and
// reopening, remote-server-timeout from a peer that accepts and never answers, and the back-off
// after a failed attempt (no new connection until it is over, then a new attempt, then delivery
// once the peer is up). Peers that misbehave are tiny net.Servers in this process.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { errorOf, freePort } from '../harness/federation.js';
import type { XmlClient } from '../harness/xml-client.js';

const CONNECT_TIMEOUT_SECONDS = 2;

/** A TCP server that counts connections and does `onSocket` with each. */
async function tcpServer(port: number, onSocket: (socket: net.Socket) => void): Promise<{ server: net.Server; sockets: net.Socket[]; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    server,
    sockets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const open: XmlClient[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
let a: ServerProcess;
let b: ServerProcess;
let ports: { a: number; b: number; silent: number; late: number };

beforeAll(async () => {
  ports = { a: await freePort(), b: await freePort(), silent: await freePort(), late: await freePort() };
  const route = (domain: string, port: number) => `    ${domain}: 127.0.0.1:${port}`;
  [a, b] = await Promise.all([
    ServerProcess.start({
      domains: [{ name: 'a.test' }],
      s2sPort: ports.a,
      extraYaml: [
        's2s:',
        `  connectTimeoutSeconds: ${CONNECT_TIMEOUT_SECONDS}`,
        '  idleTimeoutSeconds: 1',
        // Messages bounced at once, as before store-and-forward (test/protocol/federation-held.test.ts).
        '  retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 2, messageDeadlineSeconds: 0 }',
        '  routes:',
        route('b.test', ports.b),
        route('silent.test', ports.silent),
        route('late.test', ports.late),
      ].join('\n'),
    }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: ports.b, extraYaml: ['s2s:', '  connectTimeoutSeconds: 5', '  routes:', route('a.test', ports.a)].join('\n') }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw')]);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  for (const cleanup of cleanups) await cleanup();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

async function online(server: ServerProcess, user: string, domain: string, resource: string) {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  return session;
}

function bounceOf(client: XmlClient, id: string, timeoutMs = 10_000): Promise<Element> {
  return client.next((el) => el.name === 'message' && el.attrs.id === id && el.attrs.type === 'error', timeoutMs);
}

async function outgoingLinks(server: ServerProcess): Promise<{ remote: string[]; state: string }[]> {
  const result = await server.cli(['s2s', 'status', '--json']);
  expect(result.code).toBe(0);
  const parsed = JSON.parse(result.stdout) as { links: { direction: string; remote: string[]; state: string }[] };
  return parsed.links.filter((l) => l.direction === 'out');
}

describe('idle outgoing link', () => {
  it('is closed by the initiating side after s2s.idleTimeoutSeconds, and the next message opens a new one', async () => {
    const alice = await online(a, 'alice', 'a.test', 'idle');
    const bob = await online(b, 'bob', 'b.test', 'idle');
    alice.client.send(`<message to='${bob.jid}' id='idle-1' type='chat'><body>one</body></message>`);
    await nextMessage(bob.client, (el) => el.attrs.id === 'idle-1');
    const authenticated = (l: { msg: string; remote?: unknown }) => l.msg === 'outgoing server link authenticated' && l.remote === 'b.test';
    const links = () => a.logs.filter(authenticated).length;
    await a.waitForLog(authenticated);

    const closing = await a.waitForLog((l) => l.msg === 'closing idle server link' && l.remote === 'b.test', 5_000);
    expect(closing.idleSeconds).toBe(1);
    expect((await outgoingLinks(a)).filter((l) => l.remote.includes('b.test'))).toEqual([]);

    alice.client.send(`<message to='${bob.jid}' id='idle-2' type='chat'><body>two</body></message>`);
    expect((await nextMessage(bob.client, (el) => el.attrs.id === 'idle-2')).getChildText('body')).toBe('two');
    // A second link was opened (log lines may trail the message: wait for the line itself).
    await a.waitForLog(() => links() >= 2);
    expect(links()).toBe(2);
    expect(alice.client.inbox.some((el) => el.attrs.type === 'error')).toBe(false);
  });
});

describe('a peer that accepts and never answers', () => {
  it('bounces with remote-server-timeout naming the stream header step, within connectTimeoutSeconds', async () => {
    const silent = await tcpServer(ports.silent, () => undefined);
    cleanups.push(silent.close);
    const alice = await online(a, 'alice', 'a.test', 'silent');
    const started = Date.now();
    alice.client.send(`<message to='x@silent.test' id='silent-1' type='chat'><body>hello?</body></message>`);
    const bounce = await bounceOf(alice.client, 'silent-1');
    const elapsed = Date.now() - started;
    const { condition, text } = errorOf(bounce);
    expect(condition).toBe('remote-server-timeout');
    expect(text).toBe(`stream header: no answer within ${CONNECT_TIMEOUT_SECONDS} s`);
    expect(bounce.getChild('error')?.attrs.type).toBe('wait');
    expect(elapsed).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_SECONDS * 1000 - 200);
    expect(elapsed).toBeLessThan(CONNECT_TIMEOUT_SECONDS * 1000 + 3_000);
    expect(silent.sockets).toHaveLength(1);

    // Within the back-off the same condition comes back at once, with no new connection.
    alice.client.send(`<message to='x@silent.test' id='silent-2' type='chat'><body>still?</body></message>`);
    const again = errorOf(await bounceOf(alice.client, 'silent-2'));
    expect(again.condition).toBe('remote-server-timeout');
    expect(again.text).toMatch(new RegExp(`^stream header: no answer within ${CONNECT_TIMEOUT_SECONDS} s \\(last attempt \\d+ s ago; next attempt in \\d+ s\\)$`));
    expect(silent.sockets).toHaveLength(1);
  });
});

describe('back-off after a failed attempt', () => {
  it('bounces without connecting during the period, tries again after it, and delivers once the peer is up', async () => {
    // Accepts and hangs up at once: each attempt is one counted connection, and Herald cannot
    // see the failure (so bounce) before this handler ran.
    const flaky = await tcpServer(ports.late, (socket) => socket.destroy());
    let flakyOpen = true;
    cleanups.push(async () => flakyOpen && flaky.close());
    const alice = await online(a, 'alice', 'a.test', 'backoff');

    alice.client.send(`<message to='lena@late.test' id='late-1' type='chat'><body>1</body></message>`);
    const first = errorOf(await bounceOf(alice.client, 'late-1'));
    const firstAt = Date.now();
    expect(first.condition).toBe('remote-server-not-found');
    expect(first.text).toMatch(/^stream header: /);
    expect(flaky.sockets).toHaveLength(1);

    // Within the 1 s period: the same condition and reason, said to be remembered; no connection.
    alice.client.send(`<message to='lena@late.test' id='late-2' type='chat'><body>2</body></message>`);
    const second = errorOf(await bounceOf(alice.client, 'late-2'));
    expect(second.condition).toBe('remote-server-not-found');
    expect(second.text?.startsWith(`${first.text!} (last attempt `)).toBe(true);
    expect(second.text).toMatch(/\(last attempt \d+ s ago; next attempt in 1 s\)$/);
    expect(flaky.sockets).toHaveLength(1);

    // After the period the next message makes a new attempt (bounded poll: one message a 100 ms).
    let fresh: { condition: string | undefined; text: string | undefined } | undefined;
    for (let i = 0; i < 40 && fresh === undefined; i++) {
      alice.client.send(`<message to='lena@late.test' id='late-poll-${i}' type='chat'><body>poll</body></message>`);
      const got = errorOf(await bounceOf(alice.client, `late-poll-${i}`));
      expect(got.condition).toBe('remote-server-not-found');
      if (got.text?.includes('(last attempt ') === true) {
        expect(flaky.sockets).toHaveLength(1);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } else {
        fresh = got;
      }
    }
    expect(fresh?.text).toMatch(/^stream header: /);
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(800);
    expect(flaky.sockets).toHaveLength(2);
    await a.waitForLog((l) => l.msg === 'cannot open server link' && l.remote === 'late.test' && l.retryInSeconds === 2);

    // The peer comes up on that port: once the (now 2 s) period is over, a message gets through.
    await flaky.close();
    flakyOpen = false;
    const late = await ServerProcess.start({
      domains: [{ name: 'late.test' }],
      s2sPort: ports.late,
      extraYaml: ['s2s:', '  connectTimeoutSeconds: 5', '  routes:', `    a.test: 127.0.0.1:${ports.a}`].join('\n'),
    });
    cleanups.push(async () => {
      await late.stop();
      late.cleanup();
    });
    await late.addUser('lena@late.test', 'pw');
    const lena = await online(late, 'lena', 'late.test', 'r');
    let delivered: Element | undefined;
    for (let i = 0; i < 40 && delivered === undefined; i++) {
      const id = `late-up-${i}`;
      alice.client.send(`<message to='${lena.jid}' id='${id}' type='chat'><body>up?</body></message>`);
      // Whichever comes first; the other waiter just times out, unnoticed.
      const outcome = await Promise.race([
        nextMessage(lena.client, (el) => el.attrs.id === id).catch(() => undefined),
        bounceOf(alice.client, id).catch(() => undefined),
      ]);
      if (outcome === undefined) throw new Error(`neither delivered nor bounced: ${id}`);
      if (outcome.attrs.type !== 'error') {
        delivered = outcome;
        break;
      }
      // Only the remembered failure may bounce now: the peer is up, so an attempt succeeds.
      expect(errorOf(outcome).text).toMatch(/\(last attempt \d+ s ago; next attempt in \d+ s\)$/);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(delivered?.attrs.from).toBe(alice.jid);
    expect(delivered?.getChildText('body')).toBe('up?');
  }, 40_000);
});
