// Server-to-server over direct TLS (XEP-0368) between real Herald processes on 127.0.0.1: the
// listeners.s2sTls port (ALPN xmpp-server, certificate chosen by SNI, no STARTTLS inside), static
// `tls://host:port` routes, SASL EXTERNAL over a direct-TLS link, and the fall back from a
// direct-TLS SRV target whose handshake fails to the STARTTLS one (loopback DNS, never a real one).
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { XmlClient } from '../harness/xml-client.js';
import { errorOf, exchangeOneMessageEachWay, freePort, privateFederation, s2sYaml } from '../harness/federation.js';
import { startLoopbackDns, type LoopbackDns } from '../interop/harness/loopback-dns.js';
import type { LinkStatus } from '../../src/s2s/link-status.js';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';
const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';

async function s2sStatus(server: ServerProcess): Promise<LinkStatus[]> {
  const result = await server.cli(['s2s', 'status', '--json']);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { links: LinkStatus[] }).links;
}

const open: XmlClient[] = [];
let a: ServerProcess;
let b: ServerProcess;
let g: ServerProcess;
let dns: LoopbackDns;
const ports = { a: 0, aTls: 0, b: 0, bTls: 0, g: 0 };

beforeAll(async () => {
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  // b.test as g.test finds it: a direct-TLS SRV record that points at b's STARTTLS port (its TLS
  // handshake fails), then the working STARTTLS record, at the same priority (direct TLS first).
  dns = await startLoopbackDns({ 'b.test': { s2sPort: ports.b, directTlsPort: ports.b } });
  [a, b, g] = await Promise.all([
    ServerProcess.start({
      domains: [{ name: 'a.test' }],
      s2sPort: ports.a,
      s2sTlsPort: ports.aTls,
      // dead.test: a direct-TLS route to a port that speaks XML, not TLS.
      // Messages to dead.test bounce at once, as before store-and-forward (federation-held.test.ts).
      extraYaml: s2sYaml({ 'b.test': `tls://127.0.0.1:${ports.bTls}`, 'dead.test': `tls://127.0.0.1:${ports.b}` }, '  retry: { messageDeadlineSeconds: 0 }'),
    }),
    ServerProcess.start({
      domains: [{ name: 'b.test' }, { name: 'c.test' }],
      s2sPort: ports.b,
      s2sTlsPort: ports.bTls,
      extraYaml: s2sYaml({ 'a.test': `tls://127.0.0.1:${ports.aTls}`, 'g.test': `127.0.0.1:${ports.g}` }),
    }),
    ServerProcess.start({
      domains: [{ name: 'g.test' }],
      s2sPort: ports.g,
      extraYaml: s2sYaml({}, ['  resolver:', `    nameservers: ['127.0.0.1:${dns.port}']`]),
    }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw'), g.addUser('gina@g.test', 'pw')]);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop(), g?.stop()]);
  for (const server of [a, b, g]) server?.cleanup();
  await dns?.close();
});

async function online(server: ServerProcess, user: string, domain: string, resource = 'r') {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  return session;
}

describe('direct TLS between two Herald servers (static tls:// routes)', () => {
  it('carries messages both ways in order, and both links say direct TLS', async () => {
    const alice = await online(a, 'alice', 'a.test');
    const bob = await online(b, 'bob', 'b.test');
    const N = 30;
    alice.client.send(Array.from({ length: N }, (_, i) => `<message to='${bob.jid}' id='ab-${i}' type='chat'><body>${i}</body></message>`).join(''));
    for (let i = 0; i < N; i++) expect((await nextMessage(bob.client, (m) => m.attrs.id?.startsWith('ab-') === true)).attrs.id).toBe(`ab-${i}`);
    bob.client.send(Array.from({ length: N }, (_, i) => `<message to='${alice.jid}' id='ba-${i}' type='chat'><body>${i}</body></message>`).join(''));
    for (let i = 0; i < N; i++) expect((await nextMessage(alice.client, (m) => m.attrs.id?.startsWith('ba-') === true)).attrs.id).toBe(`ba-${i}`);
    expect(alice.client.inbox.some((el) => el.attrs.type === 'error')).toBe(false);

    // Logs: the outgoing links were opened with direct TLS, and so was b's dialback verify stream.
    const outA = await a.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.remote === 'b.test');
    expect(outA).toMatchObject({ method: 'dialback', transport: 'direct-tls' });
    await b.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.remote === 'a.test' && l.transport === 'direct-tls');
    await b.waitForLog((l) => l.msg === 'outgoing server stream secured' && l.s2s === 'verify' && l.transport === 'direct-tls' && l.alpn === 'xmpp-server');
    await b.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.peer === 'a.test' && l.transport === 'direct-tls');

    // `herald s2s status --json`: both directions on a; the outgoing one to b's direct-TLS port.
    const links = await s2sStatus(a);
    const out = links.find((l) => l.direction === 'out' && l.remote.includes('b.test'));
    expect(out).toMatchObject({ state: 'ready', transport: 'direct-tls', remoteAddress: `127.0.0.1:${ports.bTls}`, tls: 'TLSv1.3' });
    const incoming = links.find((l) => l.direction === 'in' && l.remote.includes('b.test') && l.state === 'ready');
    expect(incoming).toMatchObject({ transport: 'direct-tls', tls: 'TLSv1.3' });
    alice.client.destroy();
    bob.client.destroy();
  });

  it('bounces with the address and the TLS problem when the only target fails its handshake', async () => {
    const alice = await online(a, 'alice', 'a.test', 'dead');
    alice.client.send(`<message to='x@dead.test' id='dead-1' type='chat'><body>hello?</body></message>`);
    const bounce = await alice.client.next((el) => el.name === 'message' && el.attrs.id === 'dead-1' && el.attrs.type === 'error', 15_000);
    expect(bounce.getChild('error')?.getChild('remote-server-not-found', STANZAS)).toBeDefined();
    expect(errorOf(bounce).text).toMatch(new RegExp(`direct TLS handshake with 127\\.0\\.0\\.1:${ports.b} failed \\(.+\\)`));
    alice.client.destroy();
  });
});

describe('the direct-TLS listener (listeners.s2sTls)', () => {
  const header = (to: string) =>
    `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='a.test' to='${to}' version='1.0'>`;

  async function connect(servername: string): Promise<XmlClient> {
    const client = await XmlClient.connect(ports.bTls, { tls: true, servername, alpn: ['xmpp-server'] });
    open.push(client);
    return client;
  }

  it('negotiates ALPN xmpp-server, presents the certificate SNI asks for, and offers no STARTTLS', async () => {
    for (const domain of ['b.test', 'c.test']) {
      const client = await connect(domain);
      expect(client.tlsSocket!.alpnProtocol).toBe('xmpp-server');
      const certificate = new X509Certificate(client.tlsSocket!.getPeerX509Certificate()!.raw);
      expect(certificate.subjectAltName).toContain(`DNS:${domain}`);
      client.send(header(domain));
      const attrs = await client.header();
      expect(attrs.from).toBe(domain);
      expect(attrs.id).toBeTruthy();
      const features = await client.next('stream:features');
      expect(features.getChild('starttls', NS_TLS)).toBeUndefined();
      expect(features.getChild('dialback', NS_DIALBACK_FEATURE)).toBeDefined();
      // Our test client presented no certificate, so SASL EXTERNAL is not offered.
      expect(features.getChild('mechanisms', NS_SASL)).toBeUndefined();
      client.destroy();
    }
  });

  it('refuses <starttls/> on a stream that is already TLS', async () => {
    const client = await connect('b.test');
    client.send(header('b.test'));
    await client.next('stream:features');
    client.send(`<starttls xmlns='${NS_TLS}'/>`);
    expect(await client.streamError()).toBe('policy-violation');
    const error = client.received.find((el) => el.name === 'stream:error');
    expect(error?.getChildText('text', NS_STREAMS)).toMatch(/already/);
    client.destroy();
  });
});

describe('direct-TLS SRV target that fails, then STARTTLS (DNS order)', () => {
  it('falls back to the STARTTLS target and says why the first one was passed over', async () => {
    const gina = await online(g, 'gina', 'g.test');
    const bob = await online(b, 'bob', 'b.test', 'dns');
    gina.client.send(`<message to='${bob.jid}' id='g1' type='chat'><body>via fallback</body></message>`);
    expect((await nextMessage(bob.client, (m) => m.attrs.id === 'g1')).attrs.from).toBe(gina.jid);
    // The resolver asked for both records, and the direct-TLS target came first and failed.
    expect(dns.queries.some((q) => q.name === '_xmpps-server._tcp.b.test' && q.answers === 1)).toBe(true);
    const skipped = await g.waitForLog((l) => l.msg === 'server target not reachable; trying the next' && l.remote === 'b.test');
    expect(String(skipped.problem)).toMatch(new RegExp(`^direct TLS handshake with 127\\.0\\.0\\.1:${ports.b} failed \\(.+\\)$`));
    await g.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.remote === 'b.test' && l.transport === 'starttls');
    const out = (await s2sStatus(g)).find((l) => l.direction === 'out');
    expect(out).toMatchObject({ transport: 'starttls', remoteAddress: `127.0.0.1:${ports.b}` });
    gina.client.destroy();
    bob.client.destroy();
  });

  it('herald s2s check takes the same path: the direct-TLS target fails, STARTTLS works (with a warning)', async () => {
    const result = await g.cli(['s2s', 'check', 'b.test']);
    expect(result.stdout).toContain('(direct TLS)');
    expect(result.stdout).toMatch(new RegExp(`\\[warn\\] TCP\\s+connected to 127\\.0\\.0\\.1:${ports.b} \\(1 earlier target failed\\)`));
    expect(result.stdout).toMatch(new RegExp(`direct TLS handshake with 127\\.0\\.0\\.1:${ports.b} failed`));
    expect(result.stdout).toMatch(/\[ok {2}\] TLS\s+STARTTLS: TLSv1\.3/);
    expect(result.stdout).toContain('result: OK');
    expect(result.code).toBe(0);
  });
});

describe('SASL EXTERNAL over direct TLS (trusted certificates)', () => {
  let d: ServerProcess;
  let e: ServerProcess;
  let certs: string;

  beforeAll(async () => {
    // As in federation.test.ts: both servers trust the bundle of both self-signed certificates.
    const federation = privateFederation(['d.test', 'e.test']);
    certs = federation.dir;
    const strict = federation.strict;
    const p = { d: await freePort(), dTls: await freePort(), e: await freePort(), eTls: await freePort() };
    [d, e] = await Promise.all([
      ServerProcess.start({
        domains: [{ name: 'd.test' }],
        s2sPort: p.d,
        s2sTlsPort: p.dTls,
        env: { HERALD_CERTS_DIR: federation.certsDir('d.test') },
        extraYaml: s2sYaml({ 'e.test': `tls://127.0.0.1:${p.eTls}` }, strict),
      }),
      ServerProcess.start({
        domains: [{ name: 'e.test' }],
        s2sPort: p.e,
        s2sTlsPort: p.eTls,
        env: { HERALD_CERTS_DIR: federation.certsDir('e.test') },
        extraYaml: s2sYaml({ 'd.test': `tls://127.0.0.1:${p.dTls}` }, strict),
      }),
    ]);
    await Promise.all([d.addUser('dora@d.test', 'pw'), e.addUser('emil@e.test', 'pw')]);
  });
  afterAll(async () => {
    await Promise.all([d?.stop(), e?.stop()]);
    d?.cleanup();
    e?.cleanup();
    if (certs) fs.rmSync(certs, { recursive: true, force: true });
  });

  it('the direct-TLS listener asks for the client certificate, so EXTERNAL authenticates the link', async () => {
    const dora = await online(d, 'dora', 'd.test');
    const emil = await online(e, 'emil', 'e.test');
    await exchangeOneMessageEachWay(dora, emil);
    await d.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'sasl-external' && l.transport === 'direct-tls');
    await e.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'sasl-external' && l.peer === 'd.test' && l.transport === 'direct-tls');
    dora.client.destroy();
    emil.client.destroy();
  });
});
