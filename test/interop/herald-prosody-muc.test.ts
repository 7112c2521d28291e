// XEP-0045 multi-user chat across servers with a real Prosody 0.12 (its built-in mod_muc as the
// component conference.prosody.test): a Herald user joins a room there over s2s, is seen by a
// Prosody user already in it, and both exchange groupchat messages and a private message; and
// the other way round, a Prosody user in a room of Herald's own MUC (conference.herald.test).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { startHerald, stopAndClean, withPeerLogs } from './harness/herald.js';
import { registerProsodyUser, startProsody, type ProsodyHandle } from './harness/prosody.js';
import { freePort } from './harness/process.js';
import { closeAll, logIn, side, type Side } from './harness/federation-scenarios.js';
import { chatInRemoteRoom } from './harness/muc-scenarios.js';

const HERALD = 'herald.test';
const PROSODY = 'prosody.test';
const PROSODY_MUC = `conference.${PROSODY}`;
const HERALD_MUC = `conference.${HERALD}`;
const T = 20_000;

describe('MUC between Herald and Prosody 0.12 (mod_muc)', () => {
  const dirs: string[] = [];
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let h: Side;
  let p: Side;

  const withLogs = <R>(step: () => Promise<R>) => withPeerLogs(herald, prosody && { name: 'prosody', logFile: prosody.logFile }, step);

  beforeAll(async () => {
    const [hS2s, pC2s, pS2s] = [await freePort(), await freePort(), await freePort()];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-muc-'));
    dirs.push(dir);
    // The MUC component gets its own section; rooms open at once (no XEP-0045 §10.1.2 lock), as
    // on most public services, so the test needs no configuration round.
    const component = `Component ${JSON.stringify(PROSODY_MUC)} "muc"\n  muc_room_locking = false\n  restrict_room_creation = false\n`;
    [herald, prosody] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [PROSODY]: pS2s, [PROSODY_MUC]: pS2s } }),
      startProsody({
        domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir, extraConfig: component,
        staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hS2s }, [HERALD_MUC]: { host: '127.0.0.1', port: hS2s } },
      }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerProsodyUser(prosody, 'pat', 'pat-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    p = side('prosody', PROSODY, prosody.c2sPort);
  }, 60_000);

  afterAll(async () => {
    if (h && p) closeAll(h, p);
    await stopAndClean(herald, prosody, dirs);
  }, 30_000);

  it('XEP-0045 §7.2, §7.4, §7.5: a Herald user joins a Prosody room over s2s, chats with the room and privately', async () => {
    await withLogs(async () => {
      const pat = await logIn(p, 'pat', 'pat-pass', 'laptop');
      const hal = await logIn(h, 'hal', 'hal-pass', 'phone');
      await chatInRemoteRoom(pat, hal, `lounge@${PROSODY_MUC}`, T);
    });
  }, 60_000);

  it('XEP-0045 §7.2, §7.4, §7.5: a Prosody user joins a Herald room over s2s, chats with the room and privately', async () => {
    await withLogs(async () => {
      const hal = await logIn(h, 'hal', 'hal-pass', 'tablet');
      const pat = await logIn(p, 'pat', 'pat-pass', 'desktop');
      await chatInRemoteRoom(hal, pat, `hall@${HERALD_MUC}`, T);
    });
  }, 60_000);
});
