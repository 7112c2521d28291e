// connectFirst with real sockets on 127.0.0.1: targets tried in the order given, a direct-TLS
// target needs its TLS handshake (SNI, ALPN xmpp-server, our client certificate) to count, and one
// whose handshake fails is passed over with the address and the cause.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSigned, type CertificatePair } from '../../../src/net/certificates.js';
import { connectFirst } from '../../../src/s2s/connect.js';
import type { Target } from '../../../src/s2s/resolver.js';

const servers: net.Server[] = [];
const accepted: net.Socket[] = [];

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

let remoteCert: CertificatePair;
let localCert: CertificatePair;
interface Handshake {
  servername: string | false | null;
  alpn: string | false | null;
  clientCertCn: string | string[] | undefined;
}
/** What the direct-TLS server saw of each handshake, and who waits for the next. */
const handshakes: Handshake[] = [];
let onHandshake: ((handshake: Handshake) => void) | undefined;
const ports = { tls: 0, plainTcp: 0, silent: 0, xml: 0, closed: 0 };

beforeAll(async () => {
  remoteCert = generateSelfSigned(['remote.test']);
  localCert = generateSelfSigned(['local.test']);
  const tlsServer = tls.createServer({ cert: remoteCert.certPem, key: remoteCert.keyPem, ALPNProtocols: ['xmpp-server'], requestCert: true, rejectUnauthorized: false }, (socket) => {
    const handshake = { servername: socket.servername, alpn: socket.alpnProtocol, clientCertCn: socket.getPeerCertificate().subject?.CN };
    handshakes.push(handshake);
    onHandshake?.(handshake);
    socket.end();
  });
  ports.tls = await listen(tlsServer);
  // A STARTTLS-style port: accepts TCP and waits for a stream header.
  ports.plainTcp = await listen(net.createServer(() => undefined));
  // Accepts TCP and never answers the TLS ClientHello.
  ports.silent = await listen(net.createServer(() => undefined));
  // Answers anything with XML, as an s2s STARTTLS port does to a ClientHello.
  ports.xml = await listen(net.createServer((socket) => socket.end("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>")));
  const closed = net.createServer();
  ports.closed = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await Promise.all(servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const target = (port: number, kind: 'starttls' | 'direct-tls'): Target => ({ host: '127.0.0.1', port, kind });
const directTls = () => ({ cert: localCert.certPem, key: localCert.keyPem, servername: 'remote.test', rejectUnauthorized: false });

describe('connectFirst', () => {
  it('opens TLS to a direct-TLS target: SNI = the remote domain, ALPN xmpp-server, our certificate', async () => {
    // The server side may finish its handshake after the client's: wait for it.
    const seen = new Promise<Handshake>((resolve) => (onHandshake = resolve));
    const outcome = await connectFirst([target(ports.tls, 'direct-tls')], { timeoutMs: 2000, directTls: directTls() });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.socket).toBeInstanceOf(tls.TLSSocket);
    const socket = outcome.socket as tls.TLSSocket;
    expect(socket.alpnProtocol).toBe('xmpp-server');
    expect(socket.getPeerCertificate().subject.CN).toBe('remote.test');
    expect(outcome.failures).toEqual([]);
    expect(await seen).toEqual({ servername: 'remote.test', alpn: 'xmpp-server', clientCertCn: 'local.test' });
    socket.destroy();
  });

  it('gives a STARTTLS target plain TCP, even when TLS settings are at hand', async () => {
    const outcome = await connectFirst([target(ports.plainTcp, 'starttls')], { timeoutMs: 2000, directTls: directTls() });
    expect(outcome.ok && !(outcome.socket instanceof tls.TLSSocket)).toBe(true);
    if (outcome.ok) outcome.socket.destroy();
  });

  it('passes over a direct-TLS target whose handshake fails and takes the next one in order', async () => {
    const outcome = await connectFirst([target(ports.xml, 'direct-tls'), target(ports.plainTcp, 'starttls'), target(ports.tls, 'direct-tls')], {
      timeoutMs: 2000,
      directTls: directTls(),
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.target.port).toBe(ports.plainTcp);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatch(new RegExp(`^direct TLS handshake with 127\\.0\\.0\\.1:${ports.xml} failed \\(.+\\)$`));
    outcome.socket.destroy();
  });

  it('times out a direct-TLS handshake the peer never answers, naming the address', async () => {
    const outcome = await connectFirst([target(ports.silent, 'direct-tls'), target(ports.tls, 'direct-tls')], { timeoutMs: 300, directTls: directTls() });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.target.port).toBe(ports.tls);
    expect(outcome.failures).toEqual([`direct TLS handshake with 127.0.0.1:${ports.silent} timed out after 300 ms`]);
    outcome.socket.destroy();
  });

  it('reports every target when none works: refused TCP and failed TLS alike', async () => {
    const outcome = await connectFirst([target(ports.closed, 'direct-tls'), target(ports.xml, 'direct-tls'), target(ports.closed, 'starttls')], {
      timeoutMs: 2000,
      directTls: directTls(),
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failures).toHaveLength(3);
    expect(outcome.failures[0]).toBe(`connection to 127.0.0.1:${ports.closed} refused`);
    expect(outcome.failures[1]).toMatch(new RegExp(`^direct TLS handshake with 127\\.0\\.0\\.1:${ports.xml} failed \\(.+\\)$`));
    expect(outcome.failures[2]).toBe(`connection to 127.0.0.1:${ports.closed} refused`);
    expect(outcome.reason).toBe(`TCP/TLS: ${outcome.failures.join('; ')}`);
  });

  it('keeps the TCP wording when only STARTTLS targets were tried', async () => {
    const outcome = await connectFirst([target(ports.closed, 'starttls')], { timeoutMs: 2000 });
    expect(outcome).toMatchObject({ ok: false, reason: `TCP: connection to 127.0.0.1:${ports.closed} refused` });
  });

  it('skips a direct-TLS target when no TLS settings are given', async () => {
    const outcome = await connectFirst([target(ports.tls, 'direct-tls'), target(ports.plainTcp, 'starttls')], { timeoutMs: 2000 });
    expect(outcome.ok && outcome.target.port).toBe(ports.plainTcp);
    if (outcome.ok) {
      expect(outcome.failures).toEqual([`direct TLS to 127.0.0.1:${ports.tls} not attempted (no TLS settings)`]);
      outcome.socket.destroy();
    }
  });
});
