// The least `limits.maxQueuedBytesPerSession` may be (src/config/defaults.ts): the offline flush
// writes while the client's socket holds less than 128 KiB, so a client reading at its own pace
// may be left holding that plus the stanza that crossed it. At exactly that bound, a flush to a
// client that stops reading for a while must pause, not end the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextPresence } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const MAX_STANZA = 65_536;
const QUEUE_BOUND = 131_072 + MAX_STANZA;
let server: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: ['limits:', '  bytesPerSecond: 1000000000', `  maxStanzaBytes: ${MAX_STANZA}`, `  maxQueuedBytesPerSession: ${QUEUE_BOUND}`].join('\n'),
  });
  for (const user of ['alice', 'bob']) await server.addUser(`${user}@localhost`, 'pw');
}, 60_000);

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('limits.maxQueuedBytesPerSession at its minimum', () => {
  it('XEP-0160 §2: an offline flush of 9 MB to a client that stops reading pauses at the socket high-water mark; the session survives and everything arrives in order', async () => {
    const alice = await login(server.ports.c2s, 'alice', 'pw', 'desk');
    open.push(alice.client);
    // Stanzas just under the stanza limit: each one that crosses the high-water mark is the largest allowed.
    const body = 'z'.repeat(MAX_STANZA - 400);
    const ids = Array.from({ length: 150 }, (_, n) => `q${n}`);
    for (const id of ids) alice.client.send(`<message to='bob@localhost' type='chat' id='${id}'><body>${body}</body></message>`);
    alice.client.send(`<iq type='get' id='stored' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await alice.client.next((el) => el.attrs.id === 'stored', 60_000);

    const bob = await login(server.ports.c2s, 'bob', 'pw', 'slow');
    open.push(bob.client);
    bob.client.pause();
    bob.client.send('<presence/>');
    // More than the kernel's socket buffers take: the flush must wait for the client.
    await server.waitForLog((l) => l.msg === 'client is not keeping up; pacing its senders' && l.jid === bob.jid, 60_000);
    bob.client.resume();
    await nextPresence(bob.client, bob.jid);
    const got = (): string[] => bob.client.received.filter((el: Element) => el.name === 'message' && el.getChild('body') !== undefined).map((el: Element) => el.attrs.id ?? '');
    while (got().length < ids.length) await bob.client.next((el) => el.name === 'message', 60_000);
    expect(got()).toEqual(ids);
    expect(bob.client.isClosed).toBe(false);
    expect(server.logs.some((l) => l.msg === 'session closed' && l.jid === bob.jid)).toBe(false);
  }, 120_000);
});
