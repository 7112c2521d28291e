// Sockets that never finish a TLS handshake, and SIGTERM with peers that never answer: neither
// may keep a connection (or the process) alive past its limit (issue 13, item 5).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { XmlClient } from '../harness/xml-client.js';
import { freePort } from '../harness/federation.js';
import { login } from '../harness/login.js';

let server: ServerProcess | undefined;

afterEach(async () => {
  await server?.kill();
  server?.cleanup();
  server = undefined;
});

/** A plain TCP connection that sends `bytes` (nothing when empty) and then stays silent. */
async function silentSocket(port: number, bytes = Buffer.alloc(0)): Promise<{ socket: net.Socket; closed: Promise<number> }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (bytes.length > 0) socket.write(bytes);
  const opened = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - opened)));
  return { socket, closed };
}

/** The first bytes of a TLS ClientHello record: a handshake that has begun and then stalls. */
const PARTIAL_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

async function startWithDirectTls(limits: string): Promise<{ server: ServerProcess; s2sTls: number }> {
  const s2sTls = await freePort();
  const started = await ServerProcess.start({ s2sPort: await freePort(), s2sTlsPort: s2sTls, extraYaml: `limits:\n${limits}` });
  return { server: started, s2sTls };
}

describe('TLS handshake timeout (limits.tlsHandshakeTimeoutSeconds)', () => {
  it('closes direct-TLS connections (c2s 5223 and s2s 5270) whose handshake does not finish in time', async () => {
    const started = await startWithDirectTls('  tlsHandshakeTimeoutSeconds: 1');
    server = started.server;
    const sockets = await Promise.all([
      silentSocket(server.ports.directTls),
      silentSocket(server.ports.directTls, PARTIAL_CLIENT_HELLO),
      silentSocket(started.s2sTls),
      silentSocket(started.s2sTls, PARTIAL_CLIENT_HELLO),
    ]);
    const within = (ms: number) => new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms).unref());
    const times = await Promise.all(sockets.map((s) => Promise.race([s.closed, within(5_000)])));
    for (const time of times) {
      expect(time).not.toBe('still open');
      expect(time).toBeGreaterThanOrEqual(900);
      expect(time).toBeLessThan(3_000);
    }
  });
});

describe('graceful shutdown (limits.shutdownGraceSeconds)', () => {
  it('RFC 6120 §4.9.3.20: SIGTERM sends system-shutdown and exits within the grace although peers never answer', async () => {
    const started = await startWithDirectTls('  shutdownGraceSeconds: 1');
    server = started.server;
    await server.addUser('alice@localhost', 'wonderland');
    const { client: bound } = await login(server.ports.c2s, 'alice', 'wonderland', 'desk');
    const idlePlain = await XmlClient.connect(server.ports.c2s);
    const idle = await Promise.all([
      silentSocket(server.ports.directTls),
      silentSocket(server.ports.directTls, PARTIAL_CLIENT_HELLO),
      silentSocket(started.s2sTls, PARTIAL_CLIENT_HELLO),
    ]);

    const signalled = performance.now();
    const exited = server.stop();
    // Neither client answers our </stream:stream>: the grace period, not the peers, ends it.
    expect(await bound.streamError()).toBe('system-shutdown');
    expect(await idlePlain.streamError()).toBe('system-shutdown');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 8_000).unref())]);
    const elapsed = performance.now() - signalled;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(1_000 + 1_500);
    for (const socket of idle) await socket.closed;
  });
});
