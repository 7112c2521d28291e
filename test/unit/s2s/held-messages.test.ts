// Store-and-forward in-process: what is held and what is bounced at once when a peer cannot be
// reached. Bounds per sending account and per peer (s2s.retry.maxMessagesPerAccount,
// maxMessagesPerPeer), non-message stanzas, error messages and permanent failures (a domain whose
// SRV record says it has no service) keep the immediate bounce. The end-to-end behaviour (restart,
// delivery, deadline) is in test/protocol/federation-held.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import type { Resolution, S2sResolver } from '../../../src/s2s/resolver.js';
import type { S2sHandle } from '../../../src/s2s/start-s2s.js';
import { createMemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { startS2sSide, stopS2sSides, until } from '../../harness/s2s-side.js';
import { errorOf } from '../../harness/federation.js';
import { xml, type Element } from '../../../src/xml/element.js';

let dir: string;
let side: S2sHandle;
let routed: Element[];
const storage = createMemoryStorage();
const resolver: S2sResolver = {
  resolve: async (domain): Promise<Resolution> =>
    domain === 'nosrv.test'
      ? { ok: false, reason: `DNS: _xmpp-server._tcp.${domain} SRV says no XMPP server-to-server service`, permanent: true }
      : { ok: false, reason: `DNS: no route to ${domain}` },
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-held-'));
  const started = await startS2sSide({
    dir,
    domain: 'a.test',
    resolver,
    now: () => Date.now(),
    held: storage.held,
    s2sYaml: ['  retry: { initialBackoffSeconds: 60, maxBackoffSeconds: 60, maxMessagesPerAccount: 2, maxMessagesPerPeer: 3 }'],
  });
  side = started.handle;
  routed = started.received;
});

afterAll(() => stopS2sSides([side], dir));

const send = (from: string, to: string, name: string, id: string, type = 'chat') =>
  side.links.send(xml(name, { from, to, id, type }, xml('body', null, id)), parseJid(from), parseJid(to));
const bounceOf = (id: string) => routed.find((s) => s.attrs.id === id && s.attrs.type === 'error');
const heldIds = async (remote: string) => (await storage.held.list('a.test', remote, 100)).map((h) => /id="([^"]+)"/.exec(h.stanza)?.[1]);

/** Polls an asynchronous read every 10 ms for up to 10 s until `done` holds (no event to wait on). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('messages for an unreachable peer', () => {
  it('are held in order, up to maxMessagesPerAccount per sender and maxMessagesPerPeer per pair; beyond, resource-constraint', async () => {
    await send('alice@a.test/r', 'bob@down.test', 'message', 'a1');
    await send('alice@a.test/r', 'bob@down.test', 'message', 'a2');
    await eventually(() => heldIds('down.test'), (ids) => ids.length === 2, 'a1 and a2 held');
    await send('alice@a.test/r', 'carl@other.test', 'message', 'a3');
    await until(() => bounceOf('a3') !== undefined, 'bounce of a3');
    await send('anna@a.test/r', 'bob@down.test', 'message', 'n1');
    await send('anna@a.test/r', 'bob@down.test', 'message', 'n2');
    await until(() => bounceOf('n2') !== undefined, 'bounce of n2');
    expect(await heldIds('down.test')).toEqual(['a1', 'a2', 'n1']);
    expect(routed.filter((s) => s.attrs.type === 'error').map((s) => s.attrs.id)).toEqual(['a3', 'n2']);
    const perAccount = errorOf(bounceOf('a3') as never);
    expect(perAccount.condition).toBe('resource-constraint');
    expect(perAccount.text).toBe('other.test cannot be reached and alice@a.test already has as many messages waiting for unreachable servers as allowed (2 messages or 10485760 bytes); this one was not sent');
    expect(errorOf(bounceOf('n2') as never).text).toBe('down.test cannot be reached and 3 messages already wait for it; this one was not sent');
  });

  it('other stanzas and error messages are bounced at once, as before', async () => {
    await send('anna@a.test/r', 'bob@down.test', 'iq', 'q1', 'get');
    await send('anna@a.test/r', 'bob@down.test', 'presence', 'p1', 'probe');
    await send('anna@a.test/r', 'bob@down.test', 'message', 'e1', 'error');
    await until(() => bounceOf('q1') !== undefined && bounceOf('p1') !== undefined, 'bounces of q1 and p1');
    expect(errorOf(bounceOf('q1') as never)).toEqual({ condition: 'remote-server-not-found', text: expect.stringMatching(/^DNS: no route to down.test/) as unknown as string });
    expect(bounceOf('e1')).toBeUndefined();
    expect(await heldIds('down.test')).toEqual(['a1', 'a2', 'n1']);
  });

  it('are bounced at once when the failure is permanent (the SRV record says there is no service)', async () => {
    await send('carl@a.test/r', 'x@nosrv.test', 'message', 's1');
    await until(() => bounceOf('s1') !== undefined, 'bounce of s1');
    expect(errorOf(bounceOf('s1') as never)).toEqual({ condition: 'remote-server-not-found', text: 'DNS: _xmpp-server._tcp.nosrv.test SRV says no XMPP server-to-server service' });
    await send('carl@a.test/r', 'x@nosrv.test', 'message', 's2');
    await until(() => bounceOf('s2') !== undefined, 'bounce of s2');
    expect(await heldIds('nosrv.test')).toEqual([]);
  });
});
