// A Herald user creates and configures (the room is locked until then, §10.1.2) a room on a real
// Prosody 0.12 MUC (mod_muc, `Component "conference.prosody.test" "muc"`) on loopback: Herald's XEP-0045 client side over s2s (the room is a remote component
// domain). Herald reaches Prosody's component through a static route; Prosody reaches Herald
// through mod_static_s2s_routes; streams are authenticated by dialback (self-signed certificates).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { startHerald, stopAndClean } from './harness/herald.js';
import { registerProsodyUser, startProsody, type ProsodyHandle } from './harness/prosody.js';
import { freePort, tail } from './harness/process.js';
import { closeAll, goOnline, logIn, side, type Side } from './harness/federation-scenarios.js';
import { configure, groupchat, join, statusCodes } from '../harness/muc.js';

const HERALD = 'herald.test';
const PROSODY = 'prosody.test';
const CONFERENCE = `conference.${PROSODY}`;
const T = 20_000;

describe('Herald user in a Prosody 0.12 MUC room', () => {
  const dirs: string[] = [];
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let h: Side;
  let p: Side;

  beforeAll(async () => {
    const [hS2s, pC2s, pS2s] = [await freePort(), await freePort(), await freePort()];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-prosody-muc-'));
    dirs.push(dir);
    [herald, prosody] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [PROSODY]: pS2s, [CONFERENCE]: pS2s } }),
      startProsody({
        domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir,
        staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hS2s } },
        // A section of its own: the component, then the harness's VirtualHost after it.
        extraConfig: `Component ${JSON.stringify(CONFERENCE)} "muc"\n  muc_room_locking = true\n`,
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

  it('XEP-0045 §10.1/§7.4 over s2s: a Herald user creates a room on Prosody, a Prosody user joins, messages go both ways', async () => {
    const room = `lounge@${CONFERENCE}`;
    const hal = await logIn(h, 'hal', 'hal-pass', 'muc');
    const pat = await logIn(p, 'pat', 'pat-pass', 'muc');
    await Promise.all([goOnline(hal), goOnline(pat)]);
    try {
      const created = await join(hal.client, room, 'Hal');
      expect(created.attrs.type).toBeUndefined();
      expect(statusCodes(created)).toEqual(expect.arrayContaining(['110', '201']));
      expect((await configure(hal.client, room)).attrs.type).toBe('result');
      expect(statusCodes(await join(pat.client, room, 'Pat'))).toContain('110');
      hal.client.send(`<message type='groupchat' to='${room}'><body>hello from Herald</body></message>`);
      await groupchat(pat.client, room, 'hello from Herald');
      pat.client.send(`<message type='groupchat' to='${room}'><body>hello from Prosody</body></message>`);
      const got = await groupchat(hal.client, room, 'hello from Prosody');
      expect(got.attrs.from).toBe(`${room}/Pat`);
    } catch (error) {
      (error as Error).message += `\n--- prosody.log ---\n${prosody ? tail(prosody.logFile, 4000) : ''}`;
      throw error;
    }
  }, T * 3);
});
