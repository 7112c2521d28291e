// XEP-0045 multi-user chat across servers with a real ejabberd 23.01 (mod_muc on
// conference.ejabberd.test): a Herald user joins a room there over s2s, is seen by an ejabberd user
// already in it, and both exchange groupchat messages and a private message; and an ejabberd user
// in a room of Herald's own MUC (conference.herald.test). ejabberd finds Herald
// through the loopback DNS server and may federate with herald.test only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { startHerald, stopAndClean, withPeerLogs } from './harness/herald.js';
import { registerEjabberdUser, startEjabberd, type EjabberdHandle } from './harness/ejabberd.js';
import { startLoopbackDns, type LoopbackDns } from './harness/loopback-dns.js';
import { freePort } from './harness/process.js';
import { closeAll, logIn, side, type Side } from './harness/federation-scenarios.js';
import { chatInRemoteRoom } from './harness/muc-scenarios.js';

const HERALD = 'herald.test';
const EJABBERD = 'ejabberd.test';
const EJABBERD_MUC = `conference.${EJABBERD}`;
const HERALD_MUC = `conference.${HERALD}`;
const T = 20_000;
// Rooms open at once for anyone (ejabberd's default access rules name ACLs this config lacks).
const MUC_MODULE = '  mod_muc: { host: "conference.@HOST@", access: all, access_create: all, access_persistent: all, access_admin: none }\n';

describe('MUC between Herald and ejabberd 23.01 (mod_muc)', () => {
  const dirs: string[] = [];
  let dns: LoopbackDns | undefined;
  let herald: ServerProcess | undefined;
  let ejabberd: EjabberdHandle | undefined;
  let h: Side;
  let e: Side;

  const withLogs = <R>(step: () => Promise<R>) => withPeerLogs(herald, ejabberd && { name: 'ejabberd', logFile: ejabberd.logFile }, step);

  beforeAll(async () => {
    const [hS2s, eC2s, eS2s] = [await freePort(), await freePort(), await freePort()];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-ejabberd-muc-'));
    dirs.push(dir);
    dns = await startLoopbackDns({ [HERALD]: { s2sPort: hS2s }, [HERALD_MUC]: { s2sPort: hS2s } });
    [herald, ejabberd] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [EJABBERD]: eS2s, [EJABBERD_MUC]: eS2s } }),
      startEjabberd({ domain: EJABBERD, c2sPort: eC2s, s2sPort: eS2s, dir, dnsPort: dns.port, allowedPeers: [HERALD, HERALD_MUC], extraConfig: MUC_MODULE }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerEjabberdUser(ejabberd, 'eve', 'eve-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    e = side('ejabberd', EJABBERD, ejabberd.c2sPort);
  }, 90_000);

  afterAll(async () => {
    if (h && e) closeAll(h, e);
    await stopAndClean(herald, ejabberd, dirs);
    await dns?.close();
  }, 30_000);

  it('XEP-0045 §7.2, §7.4, §7.5: a Herald user joins an ejabberd room over s2s, chats with the room and privately', async () => {
    await withLogs(async () => {
      const eve = await logIn(e, 'eve', 'eve-pass', 'laptop');
      const hal = await logIn(h, 'hal', 'hal-pass', 'phone');
      await chatInRemoteRoom(eve, hal, `lounge@${EJABBERD_MUC}`, T);
    });
  }, 60_000);

  it('XEP-0045 §7.2, §7.4, §7.5: an ejabberd user joins a Herald room over s2s, chats with the room and privately', async () => {
    await withLogs(async () => {
      const hal = await logIn(h, 'hal', 'hal-pass', 'tablet');
      const eve = await logIn(e, 'eve', 'eve-pass', 'desktop');
      await chatInRemoteRoom(hal, eve, `hall@${HERALD_MUC}`, T);
    });
  }, 60_000);
});
