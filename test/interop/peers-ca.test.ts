// Harness check for certificate-authenticated federation: both peers get certificates from one
// throwaway CA and trust it, dialback is off on both sides, so the s2s streams must authenticate
// with SASL EXTERNAL (XEP-0178).
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
import { createTestCa, issueCert } from './harness/certs.js';
import { freePort, tail, waitForLog } from './harness/process.js';

const PROSODY = 'prosody.test';
const EJABBERD = 'ejabberd.test';

async function xmppLogin(port: number, domain: string, user: string, password: string): Promise<XmlClient> {
  const { client, features } = await connectSecured(port, domain);
  const offered = mechanisms(features);
  const mechanism = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'].find((m) => offered.includes(m))!;
  const result = mechanism === 'PLAIN' ? await plainAuth(client, user, password) : await scramAuth(client, mechanism, user, password);
  if (!result.ok) throw new Error(`${user}@${domain} login failed: ${result.condition}`);
  await bind(client, domain, 'interop');
  client.send('<presence/>');
  return client;
}

describe('interop peers with a shared test CA: SASL EXTERNAL, no dialback', () => {
  const dirs: string[] = [];
  let dns: LoopbackDns;
  let prosody: ProsodyHandle | undefined;
  let ejabberd: EjabberdHandle | undefined;
  const clients: XmlClient[] = [];

  beforeAll(async () => {
    const tmp = (name: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-interop-${name}-`));
      dirs.push(dir);
      return dir;
    };
    const caDir = tmp('ca');
    fs.chmodSync(caDir, 0o755); // both service users must read the CA file
    const ca = createTestCa();
    const caFile = path.join(caDir, 'ca.crt');
    fs.writeFileSync(caFile, ca.cert, { mode: 0o644 });
    const [pC2s, pS2s, eC2s, eS2s] = [await freePort(), await freePort(), await freePort(), await freePort()];
    dns = await startLoopbackDns({ [PROSODY]: { s2sPort: pS2s }, [EJABBERD]: { s2sPort: eS2s } });
    [prosody, ejabberd] = await Promise.all([
      startProsody({
        domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir: tmp('prosody'), certs: issueCert(ca, PROSODY), trustedCaFile: caFile,
        s2sSecureAuth: true, staticRoutes: { [EJABBERD]: { host: '127.0.0.1', port: eS2s } },
        disabledModules: ['dialback'],
      }),
      startEjabberd({
        domain: EJABBERD, c2sPort: eC2s, s2sPort: eS2s, dir: tmp('ejabberd'), dnsPort: dns.port, allowedPeers: [PROSODY],
        certs: issueCert(ca, EJABBERD), trustedCaFile: caFile, dialback: false, s2sUseStarttls: 'required',
      }),
    ]);
    await Promise.all([registerProsodyUser(prosody, 'alice', 'alice-pass'), registerEjabberdUser(ejabberd, 'bob', 'bob-pass')]);
    clients.push(await xmppLogin(pC2s, PROSODY, 'alice', 'alice-pass'), await xmppLogin(eC2s, EJABBERD, 'bob', 'bob-pass'));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([prosody?.stop(), ejabberd?.stop()]);
    await dns?.close();
    if (process.env.HERALD_INTEROP_KEEP !== '1') for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('messages flow both ways over certificate-authenticated s2s', async () => {
    const [alice, bob] = clients as [XmlClient, XmlClient];
    const withBody = (body: string) => (el: Element) => el.name === 'message' && el.getChildText('body') === body;
    const logs = () => `\n--- prosody ---\n${tail(prosody!.logFile, 5000)}\n--- ejabberd ---\n${tail(ejabberd!.logFile, 3000)}`;
    alice.send(`<message to='bob@${EJABBERD}' type='chat'><body>ca hello</body></message>`);
    await bob.next(withBody('ca hello'), 20_000).catch((e: Error) => Promise.reject(new Error(e.message + logs())));
    bob.send(`<message to='alice@${PROSODY}/interop' type='chat'><body>ca reply</body></message>`);
    await alice.next(withBody('ca reply'), 20_000).catch((e: Error) => Promise.reject(new Error(e.message + logs())));
    const plog = fs.readFileSync(prosody!.logFile, 'utf8');
    expect(plog).toMatch(/certificate chain validation result: valid/);
    expect(plog).not.toMatch(/falling back to dialback/);
    await waitForLog(ejabberd!.logFile, /Accepted inbound s2s EXTERNAL authentication prosody\.test -> ejabberd\.test/);
    await waitForLog(ejabberd!.logFile, /Accepted outbound s2s EXTERNAL authentication ejabberd\.test -> prosody\.test/);
  });
});
