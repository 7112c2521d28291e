// "Never lose a message": what the server acknowledged survives a hard kill, and a graceful
// stop loses nothing it accepted.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { bind, connectSecured, scramAuth, login } from '../harness/login.js';
import { nextPresence } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const SM = 'urn:xmpp:sm:3';
const servers: ServerProcess[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.kill();
    s.cleanup();
  }
});

async function smSession(server: ServerProcess, user: string, resource: string) {
  const { client } = await connectSecured(server.ports.c2s);
  const auth = await scramAuth(client, 'SCRAM-SHA-256', user, 'pw');
  if (!auth.ok) throw new Error(auth.condition);
  const jid = await bind(client, 'localhost', resource);
  client.send(`<enable xmlns='${SM}'/>`);
  await client.next('enabled');
  return { client, jid };
}

/** Collects message ids (with a body) until `done` says so. */
async function collectIds(client: XmlClient, done: (ids: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
  const ids: string[] = [];
  while (!done(ids)) {
    const message = await client.next((el) => el.name === 'message' && el.getChild('body') !== undefined, timeoutMs);
    ids.push(message.attrs.id!);
  }
  return ids;
}

describe('crash safety', () => {
  it('SIGKILL while 1,000 messages are sent to an offline user: every message the server acknowledged is delivered after restart, in order, once', async () => {
    const first = await ServerProcess.start();
    servers.push(first);
    await first.addUser('sender@localhost', 'pw');
    await first.addUser('bob@localhost', 'pw');
    const { client: sender } = await smSession(first, 'sender', 's');

    let acked = 0;
    let killed: Promise<void> | undefined;
    const enoughAcked = new Promise<void>((resolve) => {
      const watch = () => {
        void sender.next('a', 60_000).then((a) => {
          acked = Math.max(acked, Number(a.attrs.h));
          if (acked >= 300) resolve();
          else watch();
        }, () => undefined);
      };
      watch();
    });
    let batch = '';
    for (let i = 0; i < 1000; i++) {
      batch += `<message to='bob@localhost' type='chat' id='d${i}'><body>${i}</body></message>`;
      if (i % 25 === 24) batch += `<r xmlns='${SM}'/>`;
    }
    sender.send(batch);
    await enoughAcked;
    killed = first.kill();
    await killed;
    expect(acked).toBeGreaterThanOrEqual(300);
    expect(acked).toBeLessThan(1000); // the kill landed mid-way, or the test proves nothing

    const second = await first.restart();
    servers.push(second);
    const bob = await login(second.ports.c2s, 'bob', 'pw', 'after-crash');
    bob.client.send('<presence/>');
    const ids = await collectIds(bob.client, (got) => got.includes(`d${acked - 1}`));
    // Stored order, no duplicates, and every acknowledged message (h counts messages only).
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => `d${i}`));
    expect(ids.length).toBeGreaterThanOrEqual(acked);
    bob.client.destroy();
  }, 60_000); // 1,000 offline messages, each also archived twice (mam is on by default): over 20 s on a loaded 2-core machine
});

describe('graceful stop', () => {
  it('SIGTERM with unacknowledged messages on a stream-managed session: they are delivered after restart, once', async () => {
    const first = await ServerProcess.start();
    servers.push(first);
    await first.addUser('sender@localhost', 'pw');
    await first.addUser('bob@localhost', 'pw');
    const bob = await smSession(first, 'bob', 'phone');
    bob.client.send('<presence/>');
    await nextPresence(bob.client, bob.jid);
    const sender = await login(first.ports.c2s, 'sender', 'pw', 's');
    sender.client.send(Array.from({ length: 50 }, (_, i) => `<message to='${bob.jid}' type='chat' id='g${i}'><body>${i}</body></message>`).join(''));
    await collectIds(bob.client, (got) => got.length === 50);
    // bob never acknowledges; the server stops.
    expect(await first.stop()).toBe(0);

    const second = await first.restart();
    servers.push(second);
    const again = await login(second.ports.c2s, 'bob', 'pw', 'phone');
    again.client.send('<presence/>');
    const ids = await collectIds(again.client, (got) => got.length === 50);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `g${i}`));
    // Nothing a second time.
    const stats = await second.cli(['user', 'stats', 'bob@localhost']);
    expect(stats.stdout).toMatch(/: 0 offline messages/);
    again.client.destroy();
  });
});
