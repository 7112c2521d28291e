// Herald (herald.test) federating with a real ejabberd 23.01 (ejabberd.test) on loopback.
// Herald reaches ejabberd through a static route (s2s.routes); ejabberd finds Herald through the
// loopback DNS server (SRV _xmpp-server._tcp.herald.test -> 127.0.0.1:<port>) and may talk only to
// herald.test (allowedPeers), so nothing reaches real DNS. Users on ejabberd come from ejabberdctl.
//  1. Self-signed certificates on both sides: the streams are authenticated by dialback.
//  2. A throwaway CA trusted by both, mod_s2s_dialback off and STARTTLS required in ejabberd,
//     requireValidCertificates in Herald: SASL EXTERNAL (XEP-0178) both ways.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { createTestCa, issueCert } from './harness/certs.js';
import { saveHeraldLog, startHerald } from './harness/herald.js';
import { registerEjabberdUser, startEjabberd, type EjabberdHandle } from './harness/ejabberd.js';
import { startLoopbackDns, type LoopbackDns } from './harness/loopback-dns.js';
import { freePort, tail, waitForLog } from './harness/process.js';
import { closeAll, goOnline, logIn, messagesInOrder, offlineDelivery, side, subscribeBothWays, type Side } from './harness/federation-scenarios.js';

const HERALD = 'herald.test';
const EJABBERD = 'ejabberd.test';
const KEEP = process.env.HERALD_INTEROP_KEEP === '1';
const T = 20_000;
// ejabberd's own modules for these tests (appended under `modules:` by the harness).
const EJABBERD_MODULES = '  mod_offline: {}\n';

function heraldLog(herald: ServerProcess, n = 60): string {
  return herald.logs
    .filter((l) => typeof l.s2s === 'string' || /server/.test(l.msg))
    .slice(-n)
    .map((l) => JSON.stringify(l))
    .join('\n');
}

async function withLogs<T>(herald: ServerProcess | undefined, ejabberd: EjabberdHandle | undefined, dns: LoopbackDns | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const e = error as Error;
    e.message += `\n--- herald s2s log ---\n${herald ? heraldLog(herald) : ''}\n--- ejabberd.log ---\n${ejabberd ? tail(ejabberd.logFile, 5000) : ''}\n--- dns ---\n${JSON.stringify(dns?.queries ?? [])}`;
    throw e;
  }
}

function tempDir(dirs: string[], name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-interop-${name}-`));
  dirs.push(dir);
  return dir;
}

/** Only Herald's SRV name (and the VM's own hostname lookup at boot) may have been asked. */
function expectOnlyKnownDnsNames(dns: LoopbackDns): void {
  const srv = dns.queries.filter((q) => q.type === 'SRV' && q.name.toLowerCase() === `_xmpp-server._tcp.${HERALD}`);
  expect(srv.some((q) => q.answers > 0)).toBe(true);
  const unexpected = dns.queries.filter((q) => q.name.toLowerCase().includes('.test') && !q.name.toLowerCase().endsWith(HERALD));
  expect(unexpected).toEqual([]);
}

describe('Herald <-> ejabberd 23.01, self-signed certificates (dialback)', () => {
  const dirs: string[] = [];
  let dns: LoopbackDns | undefined;
  let herald: ServerProcess | undefined;
  let ejabberd: EjabberdHandle | undefined;
  let h: Side;
  let e: Side;
  const run = <T>(step: () => Promise<T>) => withLogs(herald, ejabberd, dns, step);

  beforeAll(async () => {
    const [hS2s, eC2s, eS2s] = [await freePort(), await freePort(), await freePort()];
    dns = await startLoopbackDns({ [HERALD]: { s2sPort: hS2s } });
    [herald, ejabberd] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [EJABBERD]: eS2s } }),
      startEjabberd({
        domain: EJABBERD, c2sPort: eC2s, s2sPort: eS2s, dir: tempDir(dirs, 'ejabberd'), dnsPort: dns.port, allowedPeers: [HERALD],
        extraConfig: EJABBERD_MODULES,
      }),
    ]);
    await Promise.all([
      herald.addUser(`hal@${HERALD}`, 'hal-pass'),
      herald.addUser(`otto@${HERALD}`, 'otto-pass'),
      registerEjabberdUser(ejabberd, 'eve', 'eve-pass'),
      registerEjabberdUser(ejabberd, 'olive', 'olive-pass'),
    ]);
    h = side('herald', HERALD, herald.ports.c2s);
    e = side('ejabberd', EJABBERD, ejabberd.c2sPort);
  }, 90_000);

  afterAll(async () => {
    closeAll(h, e);
    await Promise.all([herald?.stop(), ejabberd?.stop()]);
    await dns?.close();
    if (!KEEP) {
      herald?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    } else console.log(`kept: ${herald ? saveHeraldLog(herald) : ''} ${dirs.join(' ')}`);
  }, 30_000);

  it('subscribes both ways (both on Herald) and shows presence both ways', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'sub');
    const eve = await logIn(e, 'eve', 'eve-pass', 'sub');
    await run(() => subscribeBothWays(hal, eve, T));
    closeAll(h, e);
  });

  it('carries 50 messages each way in order', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'bulk');
    const eve = await logIn(e, 'eve', 'eve-pass', 'bulk');
    await Promise.all([goOnline(hal), goOnline(eve)]);
    await run(() => messagesInOrder(hal, eve, 50, T));
    closeAll(h, e);
  });

  it('delivers messages to offline users on the other server at their next login, both ways', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'off');
    const eve = await logIn(e, 'eve', 'eve-pass', 'off');
    await Promise.all([goOnline(hal), goOnline(eve)]);
    await run(() => offlineDelivery(hal, eve, `olive@${EJABBERD}`, () => logIn(e, 'olive', 'olive-pass', 'later'), 'to-ejabberd', T));
    await run(() => offlineDelivery(eve, hal, `otto@${HERALD}`, () => logIn(h, 'otto', 'otto-pass', 'later'), 'to-herald', T));
    closeAll(h, e);
  });

  it('authenticated both directions with dialback, and ejabberd found Herald only through the loopback DNS server', async () => {
    await herald!.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'dialback' && l.remote === EJABBERD);
    await herald!.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'dialback' && l.peer === EJABBERD);
    expectOnlyKnownDnsNames(dns!);
  });
});

describe('Herald <-> ejabberd 23.01, certificates from a shared test CA (SASL EXTERNAL, no dialback)', () => {
  const dirs: string[] = [];
  let dns: LoopbackDns | undefined;
  let herald: ServerProcess | undefined;
  let ejabberd: EjabberdHandle | undefined;
  let h: Side;
  let e: Side;
  const run = <T>(step: () => Promise<T>) => withLogs(herald, ejabberd, dns, step);

  beforeAll(async () => {
    const caDir = tempDir(dirs, 'ca');
    fs.chmodSync(caDir, 0o755); // the ejabberd service user must read the CA file
    const ca = createTestCa();
    const caFile = path.join(caDir, 'ca.crt');
    fs.writeFileSync(caFile, ca.cert, { mode: 0o644 });
    const [hS2s, eC2s, eS2s] = [await freePort(), await freePort(), await freePort()];
    dns = await startLoopbackDns({ [HERALD]: { s2sPort: hS2s } });
    [herald, ejabberd] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [EJABBERD]: eS2s }, certs: issueCert(ca, HERALD), caFiles: [caFile], requireValidCertificates: true }),
      startEjabberd({
        domain: EJABBERD, c2sPort: eC2s, s2sPort: eS2s, dir: tempDir(dirs, 'ejabberd'), dnsPort: dns.port, allowedPeers: [HERALD],
        certs: issueCert(ca, EJABBERD), trustedCaFile: caFile, dialback: false, s2sUseStarttls: 'required',
      }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerEjabberdUser(ejabberd, 'eve', 'eve-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    e = side('ejabberd', EJABBERD, ejabberd.c2sPort);
  }, 90_000);

  afterAll(async () => {
    closeAll(h, e);
    await Promise.all([herald?.stop(), ejabberd?.stop()]);
    await dns?.close();
    if (!KEEP) {
      herald?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    } else console.log(`kept: ${herald ? saveHeraldLog(herald) : ''} ${dirs.join(' ')}`);
  }, 30_000);

  it('carries messages both ways over certificate-authenticated streams', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'ca');
    const eve = await logIn(e, 'eve', 'eve-pass', 'ca');
    await Promise.all([goOnline(hal), goOnline(eve)]);
    await run(() => messagesInOrder(hal, eve, 10, T));
    closeAll(h, e);
  });

  it('used SASL EXTERNAL both ways, never dialback', async () => {
    await herald!.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'sasl-external' && l.remote === EJABBERD);
    await herald!.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'sasl-external' && l.peer === EJABBERD);
    expect(herald!.logs.some((l) => l.method === 'dialback')).toBe(false);
    await waitForLog(ejabberd!.logFile, /Accepted inbound s2s EXTERNAL authentication herald\.test -> ejabberd\.test/);
    await waitForLog(ejabberd!.logFile, /Accepted outbound s2s EXTERNAL authentication ejabberd\.test -> herald\.test/);
    expectOnlyKnownDnsNames(dns!);
  });
});
