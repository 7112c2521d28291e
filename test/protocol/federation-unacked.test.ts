// A peer that enables stream management on a link but never acknowledges anything: Herald drops
// the link after s2s.ackTimeoutSeconds, sends what was unacknowledged again on a new link, and
// after three links gives up and bounces it to the sender with remote-server-timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { errorOf, freePort, s2sYaml } from '../harness/federation.js';
import { SilentS2sPeer } from '../harness/silent-s2s-peer.js';

let a: ServerProcess;
let peer: SilentS2sPeer;

beforeAll(async () => {
  peer = await SilentS2sPeer.start('silent.test');
  a = await ServerProcess.start({
    domains: [{ name: 'a.test' }],
    s2sPort: await freePort(),
    extraYaml: s2sYaml({ 'silent.test': peer.port }, '  ackTimeoutSeconds: 1'),
  });
  await a.addUser('alice@a.test', 'pw');
});

afterAll(async () => {
  await a?.stop();
  await peer?.stop();
  a?.cleanup();
});

describe('a peer that never acknowledges', () => {
  it('gets each stanza on three links, then the sender gets remote-server-timeout saying so', async () => {
    const alice = await login(a.ports.c2s, 'alice', 'pw', 'r', 'a.test');
    alice.client.send(`<message to='someone@silent.test' id='u1' type='chat'><body>one</body></message>`);
    alice.client.send(`<message to='someone@silent.test' id='u2' type='chat'><body>two</body></message>`);
    // Each link: about a second until the ack request, then one more until the deadline.
    const bounced = await alice.client.next((m) => m.name === 'message' && m.attrs.type === 'error' && m.attrs.id === 'u1', 20_000);
    expect(errorOf(bounced)).toEqual({ condition: 'remote-server-timeout', text: '3 links to silent.test closed before it acknowledged this stanza' });
    await nextMessage(alice.client, (m) => m.attrs.type === 'error' && m.attrs.id === 'u2');
    // Both went out, in order, on each of the three links, and nothing after that.
    expect(peer.connections.map((ids) => ids.join(','))).toEqual(['u1,u2', 'u1,u2', 'u1,u2']);
    await a.waitForLog((l) => l.msg === 'peer stopped acknowledging; dropping the link' && l.remote === 'silent.test');
    alice.client.destroy();
  }, 30_000);
});
