// A federation link that drops mid-conversation (the peer restarts) is re-established on the
// next stanza, and the conversation carries on in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { freePort, s2sYaml } from '../harness/federation.js';

let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB }) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw')]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

describe('link re-establishment', () => {
  it('after the peer restarts, the next messages open a fresh link and arrive in order', async () => {
    const alice = await login(a.ports.c2s, 'alice', 'pw', 'r', 'a.test');
    let bob = await login(b.ports.c2s, 'bob', 'pw', 'r', 'b.test');
    alice.client.send(`<message to='${bob.jid}' id='before' type='chat'><body>before</body></message>`);
    await nextMessage(bob.client, (m) => m.attrs.id === 'before');

    // b.test stops gracefully (its streams end with system-shutdown), then comes back.
    bob.client.destroy();
    expect(await b.stop()).toBe(0);
    await a.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('peer sent a stream error') && l.remote === 'b.test');
    b = await b.restart();
    bob = await login(b.ports.c2s, 'bob', 'pw', 'r', 'b.test');

    const ids = Array.from({ length: 20 }, (_, i) => `after${i}`);
    alice.client.send(ids.map((id) => `<message to='${bob.jid}' id='${id}' type='chat'><body>${id}</body></message>`).join(''));
    const received: string[] = [];
    for (let i = 0; i < ids.length; i++) received.push((await nextMessage(bob.client, (m) => m.attrs.id?.startsWith('after') === true)).attrs.id!);
    expect(received).toEqual(ids);
    expect(alice.client.inbox.some((el) => el.attrs.type === 'error')).toBe(false);
    alice.client.destroy();
    bob.client.destroy();
  });
});
