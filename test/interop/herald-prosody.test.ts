// Herald (herald.test) federating with a real Prosody 0.12 (prosody.test) on loopback.
// Herald reaches Prosody through a static route (s2s.routes); Prosody reaches Herald through
// mod_static_s2s_routes. Nobody asks DNS. Users on Prosody are made with prosodyctl.
//  1. Self-signed certificates on both sides: the streams are authenticated by dialback.
//  2. A throwaway CA trusted by both, dialback off in Prosody and requireValidCertificates in
//     Herald: the streams must be authenticated by SASL EXTERNAL (XEP-0178) both ways.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { createTestCa, issueCert } from './harness/certs.js';
import { saveHeraldLog, startHerald } from './harness/herald.js';
import { registerProsodyUser, startProsody, type ProsodyHandle, type ProsodyOptions } from './harness/prosody.js';
import { freePort, tail } from './harness/process.js';
import { closeAll, goOnline, logIn, messagesInOrder, offlineDelivery, pingsBothWays, side, subscribeBothWays, type Side } from './harness/federation-scenarios.js';

const HERALD = 'herald.test';
const PROSODY = 'prosody.test';
const KEEP = process.env.HERALD_INTEROP_KEEP === '1';
const T = 20_000;

function heraldLog(herald: ServerProcess, n = 60): string {
  return herald.logs
    .filter((l) => typeof l.s2s === 'string' || /server/.test(l.msg))
    .slice(-n)
    .map((l) => JSON.stringify(l))
    .join('\n');
}

/** Runs `step`; on failure, appends both servers' recent logs to the error. */
async function withLogs<T>(herald: ServerProcess | undefined, prosody: ProsodyHandle | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const e = error as Error;
    e.message += `\n--- herald s2s log ---\n${herald ? heraldLog(herald) : ''}\n--- prosody.log ---\n${prosody ? tail(prosody.logFile, 5000) : ''}`;
    throw e;
  }
}

function tempDir(dirs: string[], name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-interop-${name}-`));
  dirs.push(dir);
  return dir;
}

describe('Herald <-> Prosody 0.12, self-signed certificates (dialback)', () => {
  const dirs: string[] = [];
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let prosodyOptions: ProsodyOptions;
  let h: Side;
  let p: Side;
  const run = <T>(step: () => Promise<T>) => withLogs(herald, prosody, step);

  beforeAll(async () => {
    const [hS2s, pC2s, pS2s] = [await freePort(), await freePort(), await freePort()];
    prosodyOptions = {
      domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir: tempDir(dirs, 'prosody'), extraModules: ['offline'],
      staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hS2s } },
    };
    [herald, prosody] = await Promise.all([startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [PROSODY]: pS2s } }), startProsody(prosodyOptions)]);
    await Promise.all([
      herald.addUser(`hal@${HERALD}`, 'hal-pass'),
      herald.addUser(`otto@${HERALD}`, 'otto-pass'),
      registerProsodyUser(prosody, 'pat', 'pat-pass'),
      registerProsodyUser(prosody, 'olive', 'olive-pass'),
    ]);
    h = side('herald', HERALD, herald.ports.c2s);
    p = side('prosody', PROSODY, prosody.c2sPort);
  }, 60_000);

  afterAll(async () => {
    closeAll(h, p);
    await Promise.all([herald?.stop(), prosody?.stop()]);
    if (!KEEP) {
      herald?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    } else console.log(`kept: ${herald ? saveHeraldLog(herald) : ''} ${dirs.join(' ')}`);
  }, 30_000);

  it('subscribes both ways (both on Herald) and shows presence both ways', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'sub');
    const pat = await logIn(p, 'pat', 'pat-pass', 'sub');
    await run(() => subscribeBothWays(hal, pat, T));
    closeAll(h, p);
  });

  it('carries 50 messages each way in order', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'bulk');
    const pat = await logIn(p, 'pat', 'pat-pass', 'bulk');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    await run(() => messagesInOrder(hal, pat, 50, T));
    closeAll(h, p);
  });

  it('delivers messages to offline users on the other server at their next login, both ways', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'off');
    const pat = await logIn(p, 'pat', 'pat-pass', 'off');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    await run(() => offlineDelivery(hal, pat, `olive@${PROSODY}`, () => logIn(p, 'olive', 'olive-pass', 'later'), 'to-prosody', T));
    await run(() => offlineDelivery(pat, hal, `otto@${HERALD}`, () => logIn(h, 'otto', 'otto-pass', 'later'), 'to-herald', T));
    closeAll(h, p);
  });

  it('answers pings to the other server and to users on it, both ways', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'ping');
    const pat = await logIn(p, 'pat', 'pat-pass', 'ping');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    await run(() => pingsBothWays(hal, pat, PROSODY, HERALD, T));
    closeAll(h, p);
  });

  it('opens fresh links after Prosody restarts (its stream errors end the old ones)', async () => {
    await prosody!.stop();
    prosody = await startProsody(prosodyOptions);
    const hal = await logIn(h, 'hal', 'hal-pass', 'again');
    const pat = await logIn(p, 'pat', 'pat-pass', 'again');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    await run(() => messagesInOrder(hal, pat, 5, T));
    // Herald heard Prosody's system-shutdown on its outgoing link and did not answer it with an
    // error. (On the incoming stream Prosody sends system-shutdown or just closes the stream,
    // depending on timing, so only its closing is required there.)
    await herald!.waitForLog((l) => l.msg === 'peer sent a stream error on outgoing link' && l.condition === 'system-shutdown');
    await herald!.waitForLog((l) => l.msg === 'incoming server stream closed');
    expect(herald!.logs.filter((l) => l.msg === 'stream error' && l.condition === 'unsupported-stanza-type')).toEqual([]);
    closeAll(h, p);
  });

  it('authenticated both directions with dialback', async () => {
    await herald!.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'dialback' && l.remote === PROSODY);
    await herald!.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'dialback' && l.peer === PROSODY);
  });
});

describe('Herald <-> Prosody 0.12, certificates from a shared test CA (SASL EXTERNAL, no dialback)', () => {
  const dirs: string[] = [];
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let h: Side;
  let p: Side;
  const run = <T>(step: () => Promise<T>) => withLogs(herald, prosody, step);

  beforeAll(async () => {
    const caDir = tempDir(dirs, 'ca');
    fs.chmodSync(caDir, 0o755); // the prosody service user must read the CA file
    const ca = createTestCa();
    const caFile = path.join(caDir, 'ca.crt');
    fs.writeFileSync(caFile, ca.cert, { mode: 0o644 });
    const [hS2s, pC2s, pS2s] = [await freePort(), await freePort(), await freePort()];
    [herald, prosody] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [PROSODY]: pS2s }, certs: issueCert(ca, HERALD), caFiles: [caFile], requireValidCertificates: true }),
      startProsody({
        domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir: tempDir(dirs, 'prosody'), certs: issueCert(ca, PROSODY), trustedCaFile: caFile,
        s2sSecureAuth: true, disabledModules: ['dialback'],
        staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hS2s } },
      }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerProsodyUser(prosody, 'pat', 'pat-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    p = side('prosody', PROSODY, prosody.c2sPort);
  }, 60_000);

  afterAll(async () => {
    closeAll(h, p);
    await Promise.all([herald?.stop(), prosody?.stop()]);
    if (!KEEP) {
      herald?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    } else console.log(`kept: ${herald ? saveHeraldLog(herald) : ''} ${dirs.join(' ')}`);
  }, 30_000);

  it('carries messages both ways over certificate-authenticated streams', async () => {
    const hal = await logIn(h, 'hal', 'hal-pass', 'ca');
    const pat = await logIn(p, 'pat', 'pat-pass', 'ca');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    await run(() => messagesInOrder(hal, pat, 10, T));
    closeAll(h, p);
  });

  it('used SASL EXTERNAL both ways, never dialback', async () => {
    await herald!.waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'sasl-external' && l.remote === PROSODY);
    await herald!.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'sasl-external' && l.peer === PROSODY);
    expect(herald!.logs.some((l) => l.method === 'dialback')).toBe(false);
    const plog = fs.readFileSync(prosody!.logFile, 'utf8');
    expect(plog).toMatch(/certificate chain validation result: valid/);
    expect(plog).not.toMatch(/falling back to dialback/);
  });

  // Prosody offers XEP-0198 to a peer only once it is authenticated, and dialback has no
  // stream restart to offer it after: only certificate-authenticated links get it.
  it('Prosody enables stream management on its link to Herald after SASL EXTERNAL', async () => {
    await herald!.waitForLog((l) => l.msg === 'peer enabled stream management on incoming stream' && l.peer === PROSODY);
  });

  it('Herald does stream management on its link to Prosody, which acknowledges every stanza', async () => {
    await herald!.waitForLog((l) => l.msg === 'stream management enabled on outgoing link' && l.remote === PROSODY);
    // Acknowledgements are asked for every 10 stanzas or after a second; wait for the last.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const status = JSON.parse((await herald!.cli(['s2s', 'status', '--json'])).stdout) as { links: Array<{ direction: string; remote: string[]; stanzasOut: number; unacked?: number }> };
      const link = status.links.find((l) => l.direction === 'out' && l.remote.includes(PROSODY));
      expect(link).toBeDefined();
      expect(link!.stanzasOut).toBeGreaterThanOrEqual(10);
      if (link!.unacked === 0) break;
      if (Date.now() > deadline) throw new Error(`Prosody left ${link!.unacked} stanzas unacknowledged`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
