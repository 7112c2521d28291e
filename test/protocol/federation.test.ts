// Server-to-server federation between two real Herald processes (a.test and b.test) linked by
// static routes on 127.0.0.1: STARTTLS with self-signed certificates, then dialback.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { getRoster, nextMessage, nextPresence, nextPush } from '../harness/im.js';
import { dialbackKey } from '../../src/s2s/dialback-key.js';
import { errorOf, exchangeOneMessageEachWay, freePort, REFUSED_PORT, privateFederation, rawS2s as rawS2sStream, s2sYaml } from '../harness/federation.js';
import type { XmlClient } from '../harness/xml-client.js';

const SECRET_A = 'federation-test-secret-0123456789';
const DELAY = 'urn:xmpp:delay';
const RECEIPTS = 'urn:xmpp:receipts';

const open: XmlClient[] = [];
let a: ServerProcess;
let b: ServerProcess;
let ports: { a: number; b: number };

async function online(server: ServerProcess, user: string, domain: string, resource = 'r') {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  return session;
}

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB }, `  secret: ${SECRET_A}`) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), a.addUser('anna@a.test', 'pw'), b.addUser('bob@b.test', 'pw'), b.addUser('bea@b.test', 'pw')]);
  ports = { a: portA, b: portB };
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

describe('federation with dialback over self-signed TLS', () => {
  it('carries a message from alice@a.test to bob@b.test and a reply back', async () => {
    const alice = await online(a, 'alice', 'a.test');
    const bob = await online(b, 'bob', 'b.test');
    alice.client.send(`<message to='${bob.jid}' id='m1' type='chat'><body>hello bob</body></message>`);
    const got = await nextMessage(bob.client, (el) => el.attrs.id === 'm1');
    expect(got.attrs.from).toBe(alice.jid);
    expect(got.getChildText('body')).toBe('hello bob');
    bob.client.send(`<message to='${alice.jid}' id='m2' type='chat'><body>hello alice</body></message>`);
    const back = await nextMessage(alice.client, (el) => el.attrs.id === 'm2');
    expect(back.attrs.from).toBe(bob.jid);
    // Both links were authenticated by dialback (the certificates are self-signed).
    await a.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'dialback');
    await b.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'dialback' && l.peer === 'a.test');
    alice.client.destroy();
    bob.client.destroy();
  });
});

describe('federation: volume, subscriptions, offline, receipts', () => {
  it('keeps 500 messages each way in order', async () => {
    const alice = await online(a, 'alice', 'a.test', 'bulk');
    const bob = await online(b, 'bob', 'b.test', 'bulk');
    const N = 500;
    let toBob = '';
    let toAlice = '';
    for (let i = 0; i < N; i++) {
      toBob += `<message to='${bob.jid}' id='ab-${i}' type='chat'><body>${i}</body></message>`;
      toAlice += `<message to='${alice.jid}' id='ba-${i}' type='chat'><body>${i}</body></message>`;
    }
    alice.client.send(toBob);
    bob.client.send(toAlice);
    for (let i = 0; i < N; i++) {
      const m = await bob.client.next((el) => el.name === 'message' && el.attrs.id?.startsWith('ab-') === true, 10_000);
      expect(m.attrs.id).toBe(`ab-${i}`);
    }
    for (let i = 0; i < N; i++) {
      const m = await alice.client.next((el) => el.name === 'message' && el.attrs.id?.startsWith('ba-') === true, 10_000);
      expect(m.attrs.id).toBe(`ba-${i}`);
    }
    alice.client.destroy();
    bob.client.destroy();
  }, 60_000);

  it('completes a subscription both ways (both) and shows presence across the link', async () => {
    const anna = await online(a, 'anna', 'a.test');
    const bea = await online(b, 'bea', 'b.test');
    await getRoster(anna.client);
    await getRoster(bea.client);
    // Inbound subscription requests go to available resources (RFC 6121 §3.1.3).
    anna.client.send('<presence/>');
    bea.client.send('<presence/>');
    await nextPresence(anna.client, anna.jid);
    await nextPresence(bea.client, bea.jid);
    anna.client.send(`<presence to='bea@b.test' type='subscribe'/>`);
    await bea.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'anna@a.test');
    bea.client.send(`<presence to='anna@a.test' type='subscribed'/>`);
    bea.client.send(`<presence to='anna@a.test' type='subscribe'/>`);
    await anna.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'bea@b.test');
    anna.client.send(`<presence to='bea@b.test' type='subscribed'/>`);
    let item = await nextPush(anna.client, 'bea@b.test');
    while (item.subscription !== 'both') item = await nextPush(anna.client, 'bea@b.test');
    let other = await nextPush(bea.client, 'anna@a.test');
    while (other.subscription !== 'both') other = await nextPush(bea.client, 'anna@a.test');
    // Available presence now flows both ways over the links.
    anna.client.send('<presence><status>from a</status></presence>');
    const withStatus = (from: string, status: string) => (el: Element) => el.name === 'presence' && el.attrs.from === from && el.getChildText('status') === status;
    await bea.client.next(withStatus(anna.jid, 'from a'));
    bea.client.send('<presence><status>from b</status></presence>');
    await anna.client.next(withStatus(bea.jid, 'from b'));
    anna.client.destroy();
    bea.client.destroy();
  });

  it('stores a message for an offline remote user and delivers it at login', async () => {
    const alice = await online(a, 'alice', 'a.test', 'off');
    const bea = await online(b, 'bea', 'b.test', 'witness');
    alice.client.send(`<message to='bob@b.test' id='offline-1' type='chat'><body>while you were away</body></message>`);
    // The link keeps order and b.test handles its stanzas one by one: once this arrives, the
    // message for bob was stored.
    alice.client.send(`<message to='${bea.jid}' id='offline-barrier' type='chat'><body>barrier</body></message>`);
    await nextMessage(bea.client, (el) => el.attrs.id === 'offline-barrier');
    bea.client.destroy();
    const bob = await online(b, 'bob', 'b.test', 'later');
    bob.client.send('<presence/>');
    const m = await bob.client.next((el) => el.name === 'message' && el.attrs.id === 'offline-1', 10_000);
    expect(m.getChildText('body')).toBe('while you were away');
    expect(m.getChild('delay', DELAY)).toBeDefined();
    alice.client.destroy();
    bob.client.destroy();
  });

  it('carries a delivery receipt back across the link', async () => {
    const alice = await online(a, 'alice', 'a.test', 'rcpt');
    const bob = await online(b, 'bob', 'b.test', 'rcpt');
    alice.client.send(`<message to='${bob.jid}' id='want-receipt' type='chat'><body>ack me</body><request xmlns='${RECEIPTS}'/></message>`);
    await nextMessage(bob.client, (el) => el.attrs.id === 'want-receipt');
    bob.client.send(`<message to='${alice.jid}' id='r1'><received xmlns='${RECEIPTS}' id='want-receipt'/></message>`);
    const receipt = await nextMessage(alice.client, (el) => el.getChild('received', RECEIPTS) !== undefined);
    expect(receipt.getChild('received', RECEIPTS)?.attrs.id).toBe('want-receipt');
    expect(receipt.attrs.from).toBe(bob.jid);
    alice.client.destroy();
    bob.client.destroy();
  });
});

/** A raw server-to-server stream from the test to b.test, secured, claiming to be a.test. */
async function rawS2s(): Promise<{ client: XmlClient; streamId: string }> {
  const opened = await rawS2sStream(ports.b, 'a.test', 'b.test');
  open.push(opened.client);
  return opened;
}

describe('federation: inbound checks', () => {
  it('rejects stanzas before authentication', async () => {
    const { client } = await rawS2s();
    client.send(`<message from='alice@a.test' to='bob@b.test'><body>sneaky</body></message>`);
    expect(await client.streamError()).toBe('not-authorized');
  });

  it('verifies dialback with the authoritative server, then rejects a forged from with invalid-from', async () => {
    const { client, streamId } = await rawS2s();
    client.send(`<db:result from='a.test' to='b.test'>${dialbackKey(SECRET_A, 'b.test', 'a.test', streamId)}</db:result>`);
    const result = await client.next((el) => el.name === 'db:result', 10_000);
    expect(result.attrs.type).toBe('valid');
    client.send(`<message from='mallory@evil.test' to='bob@b.test'><body>forged</body></message>`);
    expect(await client.streamError()).toBe('invalid-from');
  });

  it('refuses a wrong dialback key', async () => {
    const { client, streamId } = await rawS2s();
    client.send(`<db:result from='a.test' to='b.test'>${dialbackKey('not-the-secret-of-a-test', 'b.test', 'a.test', streamId)}</db:result>`);
    const result = await client.next((el) => el.name === 'db:result', 10_000);
    expect(result.attrs.type).toBe('invalid');
  });

  it('rejects a stanza to a domain not served there with host-unknown', async () => {
    const { client, streamId } = await rawS2s();
    client.send(`<db:result from='a.test' to='b.test'>${dialbackKey(SECRET_A, 'b.test', 'a.test', streamId)}</db:result>`);
    expect((await client.next((el) => el.name === 'db:result', 10_000)).attrs.type).toBe('valid');
    client.send(`<message from='alice@a.test' to='someone@elsewhere.test'><body>relay?</body></message>`);
    expect(await client.streamError()).toBe('host-unknown');
  });
});

describe('federation failures', () => {
  let c: ServerProcess;

  beforeAll(async () => {
    c = await ServerProcess.start({
      domains: [{ name: 'c.test' }],
      s2sPort: await freePort(),
      extraYaml: s2sYaml({ 'b.test': ports.b, 'nowhere.test': REFUSED_PORT }, ['  requireValidCertificates: true', '  retry: { messageDeadlineSeconds: 0 }']),
    });
    await c.addUser('carol@c.test', 'pw');
  });
  afterAll(async () => {
    await c?.stop();
    c?.cleanup();
  });

  it('requireValidCertificates refuses a self-signed peer and the bounce names the certificate problem', async () => {
    const carol = await online(c, 'carol', 'c.test');
    carol.client.send(`<message to='bob@b.test' id='strict-1' type='chat'><body>hi</body></message>`);
    const bounce = await carol.client.next((el) => el.name === 'message' && el.attrs.id === 'strict-1' && el.attrs.type === 'error', 15_000);
    const { condition, text } = errorOf(bounce);
    expect(condition).toBe('remote-server-not-found');
    expect(text).toMatch(/certificate/);
    expect(text).toMatch(/b\.test/);
    expect(text).toMatch(/SELF_SIGNED/);
    carol.client.destroy();
  });

  it('bounces with remote-server-not-found naming TCP and the address when the peer is unreachable', async () => {
    const carol = await online(c, 'carol', 'c.test', 'unreach');
    carol.client.send(`<message to='x@nowhere.test' id='nowhere-1' type='chat'><body>hello?</body></message>`);
    carol.client.send(`<message to='y@nowhere.test' id='nowhere-2' type='chat'><body>anyone?</body></message>`);
    for (const id of ['nowhere-1', 'nowhere-2']) {
      const bounce = await carol.client.next((el) => el.name === 'message' && el.attrs.id === id && el.attrs.type === 'error', 15_000);
      const { condition, text } = errorOf(bounce);
      expect(condition).toBe('remote-server-not-found');
      expect(text).toContain('TCP');
      expect(text).toContain(`127.0.0.1:${REFUSED_PORT}`);
      expect(text).toContain('refused');
      expect(bounce.attrs.from).toMatch(/nowhere\.test$/);
    }
    carol.client.destroy();
  });
});

describe('federation with trusted certificates (SASL EXTERNAL, XEP-0178)', () => {
  let d: ServerProcess;
  let e: ServerProcess;
  let certs: string;

  beforeAll(async () => {
    // A private federation: both servers list the same bundle (both self-signed certificates)
    // in s2s.caFiles, so each trusts the other and knows its own will be trusted.
    const federation = privateFederation(['d.test', 'e.test']);
    certs = federation.dir;
    const [portD, portE] = [await freePort(), await freePort()];
    [d, e] = await Promise.all([
      ServerProcess.start({ domains: [{ name: 'd.test' }], s2sPort: portD, env: { HERALD_CERTS_DIR: federation.certsDir('d.test') }, extraYaml: s2sYaml({ 'e.test': portE }, federation.strict) }),
      ServerProcess.start({ domains: [{ name: 'e.test' }], s2sPort: portE, env: { HERALD_CERTS_DIR: federation.certsDir('e.test') }, extraYaml: s2sYaml({ 'd.test': portD }, federation.strict) }),
    ]);
    await Promise.all([d.addUser('dora@d.test', 'pw'), e.addUser('emil@e.test', 'pw')]);
  });
  afterAll(async () => {
    await Promise.all([d?.stop(), e?.stop()]);
    d?.cleanup();
    e?.cleanup();
    if (certs) fs.rmSync(certs, { recursive: true, force: true });
  });

  it('authenticates with SASL EXTERNAL and carries messages both ways', async () => {
    const dora = await online(d, 'dora', 'd.test');
    const emil = await online(e, 'emil', 'e.test');
    await exchangeOneMessageEachWay(dora, emil);
    await d.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'sasl-external');
    await e.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'sasl-external' && l.peer === 'd.test');
    dora.client.destroy();
    emil.client.destroy();
  });
});
