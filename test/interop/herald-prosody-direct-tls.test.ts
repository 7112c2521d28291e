// Herald (herald.test) and a real Prosody 0.12 (prosody.test) federating over direct TLS
// (XEP-0368) only, on loopback: Herald's listeners.s2sTls and a `tls://` route to Prosody's
// s2s_direct_tls_ports; Prosody reaches Herald through mod_static_s2s_routes with direct_tls.
// Self-signed certificates, so both directions are authenticated by dialback, whose verify
// streams go over direct TLS as well.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { registerProsodyUser, startProsody, type ProsodyHandle } from './harness/prosody.js';
import { freePort, tail } from './harness/process.js';
import { closeAll, goOnline, logIn, messagesInOrder, side, type Side } from './harness/federation-scenarios.js';

const HERALD = 'herald.test';
const PROSODY = 'prosody.test';
const T = 20_000;

describe('Herald <-> Prosody 0.12 over direct TLS only (XEP-0368)', () => {
  let dir: string;
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let h: Side;
  let p: Side;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-prosody-tls-'));
    const [hS2s, hTls, pC2s, pS2s, pTls] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    [herald, prosody] = await Promise.all([
      ServerProcess.start({
        domains: [{ name: HERALD }],
        s2sPort: hS2s,
        s2sTlsPort: hTls,
        extraYaml: ['s2s:', '  connectTimeoutSeconds: 10', '  routes:', `    ${PROSODY}: tls://127.0.0.1:${pTls}`].join('\n'),
      }),
      startProsody({
        domain: PROSODY,
        c2sPort: pC2s,
        s2sPort: pS2s,
        dir,
        staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hTls, directTls: true } },
        extraConfig: `s2s_direct_tls_ports = { ${pTls} }`,
      }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerProsodyUser(prosody, 'pat', 'pat-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    p = side('prosody', PROSODY, prosody.c2sPort);
  }, 60_000);

  afterAll(async () => {
    closeAll(h, p);
    await Promise.all([herald?.stop(), prosody?.stop()]);
    herald?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('carries 20 messages each way in order, both links direct TLS', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'tls');
    const pat = await logIn(p, 'pat', 'pat-pass', 'tls');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    try {
      await messagesInOrder(hal, pat, 20, T);
      const out = await herald!.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.remote === PROSODY);
      expect(out.transport).toBe('direct-tls');
      await herald!.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.peer === PROSODY && l.transport === 'direct-tls');
      // Nothing went over the STARTTLS ports.
      expect(herald!.logs.some((l) => l.msg === 'outgoing server stream secured' && l.transport === 'starttls')).toBe(false);
      expect(herald!.logs.some((l) => l.s2s === 'in' && l.transport === 'starttls')).toBe(false);
    } catch (error) {
      const e = error as Error;
      const s2sLog = herald!.logs.filter((l) => typeof l.s2s === 'string').slice(-40).map((l) => JSON.stringify(l)).join('\n');
      e.message += `\n--- herald s2s log ---\n${s2sLog}\n--- prosody.log ---\n${prosody ? tail(prosody.logFile, 5000) : ''}`;
      throw e;
    }
    closeAll(h, p);
  });
});
