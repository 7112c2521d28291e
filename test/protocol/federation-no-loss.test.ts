// A federation link whose route dies silently mid-conversation: the bytes Herald wrote after some
// point never reach the peer, and the connection is reset later. With stream management on the
// link (XEP-0198 between servers) every stanza the peer did not acknowledge is sent again on a
// fresh link, so nothing is lost; without it, everything written into the dead route would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { freePort, s2sYaml } from '../harness/federation.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

let a: ServerProcess;
let b: ServerProcess;
let proxy: TcpProxy;

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  // a.test reaches b.test through the proxy; b.test dials back to a.test directly.
  proxy = await TcpProxy.start({ targetPort: portB, blackholeAfterBytes: 20_000 });
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': proxy.port }) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw')]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe('a link that dies without a word', () => {
  it('loses no message: what the peer did not acknowledge is sent again on a new link', async () => {
    const alice = await login(a.ports.c2s, 'alice', 'pw', 'r', 'a.test');
    const bob = await login(b.ports.c2s, 'bob', 'pw', 'r', 'b.test');
    const ids = Array.from({ length: 500 }, (_, i) => `m${i}`);
    const body = 'x'.repeat(100);
    alice.client.send(ids.map((id) => `<message to='${bob.jid}' id='${id}' type='chat'><body>${id} ${body}</body></message>`).join(''));

    // Part of the conversation went into the void; then the route is reset.
    await proxy.swallowedAtLeast(10_000);
    proxy.cut();

    // Every message arrives; one the peer handled but whose acknowledgement was swallowed may
    // arrive twice (XEP-0198 §6 allows that), but the first arrivals keep the sending order.
    const firstSeen: string[] = [];
    const seen = new Set<string>();
    while (seen.size < ids.length) {
      const id = (await nextMessage(bob.client, (m) => m.attrs.id?.startsWith('m') === true)).attrs.id!;
      if (!seen.has(id)) firstSeen.push(id);
      seen.add(id);
    }
    expect(firstSeen).toEqual(ids);
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    expect(alice.client.inbox.some((el) => el.attrs.type === 'error')).toBe(false);
    alice.client.destroy();
    bob.client.destroy();
  }, 60_000);
});
