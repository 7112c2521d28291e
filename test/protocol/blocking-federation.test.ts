// XEP-0191 across federation: a blocked sender on another server (a second Herald, linked over
// loopback) gets the error back over the server link, for a bare-JID entry and a domain entry,
// and nothing reaches the blocking account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage, nextPresence, nothingBefore } from '../harness/im.js';
import { errorOf, freePort, s2sYaml } from '../harness/federation.js';
import { block, unblock } from '../harness/blocking.js';
import type { XmlClient } from '../harness/xml-client.js';

const open: XmlClient[] = [];
let a: ServerProcess;
let b: ServerProcess;

async function online(server: ServerProcess, user: string, domain: string, resource = 'r') {
  const session = await login(server.ports.c2s, user, 'pw', resource, domain);
  open.push(session.client);
  session.client.send('<presence/>');
  await nextPresence(session.client, session.jid);
  return session;
}

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB }) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw'), b.addUser('bea@b.test', 'pw')]);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

describe('XEP-0191 §3.3 over server-to-server links', () => {
  it('a blocked remote sender gets service-unavailable for messages and IQs; a domain entry blocks all its users', async () => {
    const alice = await online(a, 'alice', 'a.test');
    const bob = await online(b, 'bob', 'b.test');
    const bea = await online(b, 'bea', 'b.test');

    // The link works before the block.
    bob.client.send(`<message to='alice@a.test' id='before' type='chat'><body>hi</body></message>`);
    await alice.client.next((el) => el.name === 'message' && el.attrs.id === 'before', 15_000);

    expect((await block(alice.client, 'bob@b.test')).attrs.type).toBe('result');
    bob.client.send(`<message to='alice@a.test' id='blocked-1' type='chat'><body>hi again</body></message>`);
    const bounced = await bob.client.next((el) => el.attrs.id === 'blocked-1' && el.attrs.type === 'error', 15_000);
    expect(errorOf(bounced).condition).toBe('service-unavailable');
    expect(bounced.attrs.from).toBe('alice@a.test');
    bob.client.send(`<iq type='get' id='blocked-iq' to='${alice.jid}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    expect(errorOf(await bob.client.next((el) => el.attrs.id === 'blocked-iq', 15_000)).condition).toBe('service-unavailable');

    // bea is not blocked yet; then the whole domain is.
    bea.client.send(`<message to='alice@a.test' id='bea-1' type='chat'><body>from bea</body></message>`);
    await nextMessage(alice.client, (el) => el.attrs.id === 'bea-1');
    expect((await block(alice.client, 'b.test')).attrs.type).toBe('result');
    bea.client.send(`<message to='alice@a.test' id='bea-2' type='chat'><body>again</body></message>`);
    expect(errorOf(await bea.client.next((el) => el.attrs.id === 'bea-2' && el.attrs.type === 'error', 15_000)).condition).toBe('service-unavailable');

    // Outbound to the blocked domain is refused at alice's server.
    alice.client.send(`<message to='bea@b.test' id='out' type='chat'><body>x</body></message>`);
    expect(errorOf(await alice.client.next((el) => el.attrs.id === 'out')).condition).toBe('not-acceptable');

    expect(await nothingBefore(alice.client, (el) => el.name === 'message' && ['blocked-1', 'bea-2'].includes(el.attrs.id ?? ''))).toBe(true);

    // Unblocked, bob gets through again.
    expect((await unblock(alice.client)).attrs.type).toBe('result');
    bob.client.send(`<message to='alice@a.test' id='after' type='chat'><body>back</body></message>`);
    await nextMessage(alice.client, (el) => el.attrs.id === 'after');
  }, 60_000);
});
