// XEP-0163 PEP across servers with a real Prosody 0.12 (mod_pep): a Prosody user subscribed to a
// Herald user gets the Herald user's avatar metadata and OMEMO device-list notifications (Herald
// learns the Prosody client's caps over s2s), and the other way round (Prosody asks the Herald
// client, Herald routes the question and the notifications).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import { answerCapsQueries, capsPresence, type ClientIdentity } from '../harness/caps.js';
import { iq, isEventFor, itemIds, publishXml } from '../harness/pep.js';
import { startHerald, stopAndClean, withPeerLogs } from './harness/herald.js';
import { registerProsodyUser, startProsody, type ProsodyHandle } from './harness/prosody.js';
import { freePort } from './harness/process.js';
import { closeAll, logIn, side, subscribeBothWays, type Session, type Side } from './harness/federation-scenarios.js';

const HERALD = 'herald.test';
const PROSODY = 'prosody.test';
const T = 20_000;
const AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
const DEVICE_LIST = 'eu.siacs.conversations.axolotl.devicelist';

const avatarMetadata = (id: string) => `<metadata xmlns='${AVATAR_METADATA}'><info id='${id}' bytes='1234' type='image/png' width='64' height='64'/></metadata>`;
const deviceList = (...ids: number[]) => `<list xmlns='eu.siacs.conversations.axolotl'>${ids.map((id) => `<device id='${id}'/>`).join('')}</list>`;

/** Available with caps asking for avatar metadata and OMEMO device lists; answers whoever asks what they mean. */
function availableWithCaps(session: Session, name: string): string[] {
  const identity: ClientIdentity[] = [{ category: 'client', type: 'phone', name }];
  const features = ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/caps', `${AVATAR_METADATA}+notify`, `${DEVICE_LIST}+notify`];
  const askedBy: string[] = [];
  answerCapsQueries(session.client, identity, features, (from) => askedBy.push(from));
  session.client.send(capsPresence(identity, features));
  return askedBy;
}

describe('PEP between Herald and Prosody 0.12 (mod_pep)', () => {
  const dirs: string[] = [];
  let herald: ServerProcess | undefined;
  let prosody: ProsodyHandle | undefined;
  let h: Side;
  let p: Side;

  const withLogs = <R>(step: () => Promise<R>) => withPeerLogs(herald, prosody && { name: 'prosody', logFile: prosody.logFile }, step);

  beforeAll(async () => {
    const [hS2s, pC2s, pS2s] = [await freePort(), await freePort(), await freePort()];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-pep-'));
    dirs.push(dir);
    [herald, prosody] = await Promise.all([
      startHerald({ domain: HERALD, s2sPort: hS2s, routes: { [PROSODY]: pS2s } }),
      startProsody({ domain: PROSODY, c2sPort: pC2s, s2sPort: pS2s, dir, extraModules: ['pep'], staticRoutes: { [HERALD]: { host: '127.0.0.1', port: hS2s } } }),
    ]);
    await Promise.all([herald.addUser(`hal@${HERALD}`, 'hal-pass'), registerProsodyUser(prosody, 'pat', 'pat-pass')]);
    h = side('herald', HERALD, herald.ports.c2s);
    p = side('prosody', PROSODY, prosody.c2sPort);
    const hal = await logIn(h, 'hal', 'hal-pass', 'setup');
    const pat = await logIn(p, 'pat', 'pat-pass', 'setup');
    await withLogs(() => subscribeBothWays(hal, pat, T));
    closeAll(h, p);
  }, 60_000);

  afterAll(async () => {
    closeAll(h, p);
    await stopAndClean(herald, prosody, dirs);
  }, 30_000);

  it('XEP-0163 §4.3: a Prosody user subscribed to a Herald user gets its avatar metadata (last item) and OMEMO device-list updates', async () => {
    await withLogs(async () => {
      const hal = await logIn(h, 'hal', 'hal-pass', 'phone');
      expect((await iq(hal.client, 'set', undefined, publishXml(AVATAR_METADATA, 'hash1', avatarMetadata('hash1')))).attrs.type).toBe('result');
      const pat = await logIn(p, 'pat', 'pat-pass', 'conversations');
      const askedBy = availableWithCaps(pat, 'pat-client');
      const last = await pat.client.next(isEventFor(`hal@${HERALD}`, AVATAR_METADATA), T);
      expect(itemIds(last)).toEqual(['hash1']);
      // Herald asked pat's client, from hal's bare JID, what its caps mean.
      expect(askedBy).toContain(`hal@${HERALD}`);
      const published = await iq(hal.client, 'set', undefined, publishXml(DEVICE_LIST, 'current', deviceList(1111, 2222), { 'pubsub#access_model': 'open' }));
      expect(published.attrs.type).toBe('result');
      const update = await pat.client.next(isEventFor(`hal@${HERALD}`, DEVICE_LIST), T);
      expect(update.getChild('event')?.getChild('items')?.getChild('item')?.getChild('list')?.getChildren('device').map((d) => d.attrs.id)).toEqual(['1111', '2222']);
    });
    closeAll(h, p);
  });

  it('XEP-0163 §4.3: a Herald user subscribed to a Prosody user gets its avatar metadata and device-list updates (Prosody asks the Herald client through Herald)', async () => {
    await withLogs(async () => {
      const pat = await logIn(p, 'pat', 'pat-pass', 'desk');
      expect((await iq(pat.client, 'set', undefined, publishXml(AVATAR_METADATA, 'hash2', avatarMetadata('hash2')))).attrs.type).toBe('result');
      const hal = await logIn(h, 'hal', 'hal-pass', 'gajim');
      const askedBy = availableWithCaps(hal, 'hal-client');
      const last = await hal.client.next(isEventFor(`pat@${PROSODY}`, AVATAR_METADATA), T);
      expect(itemIds(last)).toEqual(['hash2']);
      expect(askedBy).toContain(`pat@${PROSODY}`);
      expect((await iq(pat.client, 'set', undefined, publishXml(DEVICE_LIST, 'current', deviceList(3333)))).attrs.type).toBe('result');
      const update = await hal.client.next(isEventFor(`pat@${PROSODY}`, DEVICE_LIST), T);
      expect(itemIds(update)).toEqual(['current']);
    });
    closeAll(h, p);
  });
});
