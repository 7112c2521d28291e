// Proves the interop harness: a real Prosody (prosody.test) and a real ejabberd (ejabberd.test) on
// loopback, users created with each server's own tool, federating with each other without real
// DNS (Prosody through mod_static_s2s_routes, ejabberd through the loopback DNS server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { XmlClient } from '../harness/xml-client.js';
import { bind, connectSecured, mechanisms, plainAuth, scramAuth } from '../harness/login.js';
import { startLoopbackDns, type LoopbackDns } from './harness/loopback-dns.js';
import { registerProsodyUser, startProsody, type ProsodyHandle } from './harness/prosody.js';
import { registerEjabberdUser, startEjabberd, type EjabberdHandle } from './harness/ejabberd.js';
import { freePort, tail } from './harness/process.js';

const PROSODY = 'prosody.test';
const EJABBERD = 'ejabberd.test';
const KEEP = process.env.HERALD_INTEROP_KEEP === '1'; // keep temp dirs (configs, logs) for debugging

/** STARTTLS, then the best SASL mechanism both sides have, bind, initial presence. */
async function xmppLogin(port: number, domain: string, user: string, password: string): Promise<{ client: XmlClient; jid: string; mechanism: string }> {
  const { client, features } = await connectSecured(port, domain);
  const offered = mechanisms(features);
  const mechanism = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'].find((m) => offered.includes(m));
  if (!mechanism) throw new Error(`no usable SASL mechanism from ${domain}: ${offered.join(' ')}`);
  const result = mechanism === 'PLAIN' ? await plainAuth(client, user, password) : await scramAuth(client, mechanism, user, password);
  if (!result.ok) throw new Error(`${user}@${domain} login with ${mechanism} failed: ${result.condition}`);
  const jid = await bind(client, domain, 'interop');
  client.send('<presence/>');
  return { client, jid, mechanism };
}

const isMessageWithBody = (body: string) => (el: Element) => el.name === 'message' && el.getChildText('body') === body;

describe('interop peers on loopback: Prosody <-> ejabberd', () => {
  const dirs: string[] = [];
  let dns: LoopbackDns;
  let prosody: ProsodyHandle | undefined;
  let ejabberd: EjabberdHandle | undefined;
  const clients: XmlClient[] = [];

  const logs = () => `\n--- prosody.log ---\n${prosody ? tail(prosody.logFile, 4000) : ''}\n--- ejabberd.log ---\n${ejabberd ? tail(ejabberd.logFile, 4000) : ''}`;

  beforeAll(async () => {
    const tmp = (name: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-interop-${name}-`));
      dirs.push(dir);
      return dir;
    };
    const [pC2s, pS2s, eC2s, eS2s] = [await freePort(), await freePort(), await freePort(), await freePort()];
    dns = await startLoopbackDns({ [PROSODY]: { s2sPort: pS2s }, [EJABBERD]: { s2sPort: eS2s } });
    [prosody, ejabberd] = await Promise.all([
      startProsody({ domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir: tmp('prosody'), staticRoutes: { [EJABBERD]: { host: '127.0.0.1', port: eS2s } } }),
      startEjabberd({ domain: EJABBERD, c2sPort: eC2s, s2sPort: eS2s, dir: tmp('ejabberd'), dnsPort: dns.port, allowedPeers: [PROSODY] }),
    ]);
    console.log(`prosody up in ${prosody.startupMs} ms (pid ${prosody.pid}), ejabberd up in ${ejabberd.startupMs} ms (beam pid ${ejabberd.pid}); dns on udp ${dns.port}`);
    await Promise.all([registerProsodyUser(prosody, 'alice', 'alice-pass'), registerEjabberdUser(ejabberd, 'bob', 'bob-pass')]);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([prosody?.stop(), ejabberd?.stop()]);
    await dns?.close();
    if (!KEEP) for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    else console.log(`kept: ${dirs.join(' ')}`);
  }, 60_000);

  it('users created with prosodyctl and ejabberdctl can log in over STARTTLS', async () => {
    const a = await xmppLogin(prosody!.c2sPort, PROSODY, 'alice', 'alice-pass');
    const b = await xmppLogin(ejabberd!.c2sPort, EJABBERD, 'bob', 'bob-pass');
    clients.push(a.client, b.client);
    console.log(`alice ${a.jid} via ${a.mechanism}; bob ${b.jid} via ${b.mechanism}`);
    expect(a.jid).toBe(`alice@${PROSODY}/interop`);
    expect(b.jid).toBe(`bob@${EJABBERD}/interop`);
  });

  it('a message from a Prosody user reaches an ejabberd user, and a reply comes back', async () => {
    const [alice, bob] = clients as [XmlClient, XmlClient];
    const t0 = Date.now();
    alice.send(`<message to='bob@${EJABBERD}' type='chat' id='m1'><body>hello from prosody</body></message>`);
    const got = await bob.next(isMessageWithBody('hello from prosody'), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}${logs()}\n--- dns ---\n${JSON.stringify(dns.queries)}`);
    });
    expect(got.attrs.from).toBe(`alice@${PROSODY}/interop`);
    const t1 = Date.now();
    bob.send(`<message to='alice@${PROSODY}/interop' type='chat' id='m2'><body>hello from ejabberd</body></message>`);
    const back = await alice.next(isMessageWithBody('hello from ejabberd'), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}${logs()}\n--- dns ---\n${JSON.stringify(dns.queries)}`);
    });
    expect(back.attrs.from).toBe(`bob@${EJABBERD}/interop`);
    console.log(`prosody->ejabberd first message ${t1 - t0} ms (includes s2s setup), ejabberd->prosody ${Date.now() - t1} ms`);
  });

  it('a domain with no route gets an error from either peer, with no DNS lookup for it', async () => {
    const [alice, bob] = clients as [XmlClient, XmlClient];
    alice.send(`<message to='nobody@unrouted.test' type='chat' id='u1'><body>x</body></message>`);
    bob.send(`<message to='nobody@unrouted.test' type='chat' id='u2'><body>x</body></message>`);
    const isError = (id: string) => (el: Element) => el.name === 'message' && el.attrs.id === id && el.attrs.type === 'error';
    const [fromProsody, fromEjabberd] = await Promise.all([alice.next(isError('u1'), 20_000), bob.next(isError('u2'), 20_000)]);
    const condition = (el: Element) => el.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name;
    console.log(`unrouted: prosody says ${condition(fromProsody)}, ejabberd says ${condition(fromEjabberd)}`);
    expect(condition(fromProsody)).toBe('remote-server-not-found');
    expect(condition(fromEjabberd)).toBeDefined();
    expect(dns.queries.some((q) => q.name.toLowerCase().includes('unrouted'))).toBe(false);
  });

  it('ejabberd found Prosody through the loopback DNS server (SRV), and nothing unknown was asked', () => {
    const srv = dns.queries.filter((q) => q.type === 'SRV' && q.name.toLowerCase() === `_xmpp-server._tcp.${PROSODY}`);
    expect(srv.some((q) => q.answers > 0)).toBe(true);
    console.log('dns queries:', JSON.stringify(dns.queries));
  });
});
