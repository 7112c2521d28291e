// An independent client drives XEP-0191: slixmpp's own xep_0191 plugin (Debian python3-slixmpp
// 1.8.3) blocks a JID, which a raw client then finds blocked, and unblocks it again; the
// plugin sees its own pushes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { errorOf } from '../harness/federation.js';

const SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-blocking.py');

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'mallory', 'bob']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('slixmpp xep_0191 (Debian python3-slixmpp)', () => {
  it('XEP-0191 §3.2–§3.4: blocks and unblocks with the plugin; the block holds in between', async () => {
    const child = spawn('/usr/bin/python3', [SCRIPT, 'alice@localhost', 'pw', String(server.ports.c2s), 'mallory@localhost'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let output = '';
    const waiters: Array<() => void> = [];
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const wake of waiters.splice(0)) wake();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const outputContains = async (text: string): Promise<void> => {
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`slixmpp ended without printing '${text}':\n${output}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };

    await outputContains('list: mallory@localhost');
    const mallory = await login(server.ports.c2s, 'mallory', 'pw', 'm');
    mallory.client.send(`<message to='alice@localhost' id='m1' type='chat'><body>hello?</body></message>`);
    expect(errorOf(await mallory.client.next((el) => el.attrs.id === 'm1' && el.attrs.type === 'error')).condition).toBe('service-unavailable');

    const bob = await login(server.ports.c2s, 'bob', 'pw', 'b');
    bob.client.send(`<message to='alice@localhost' type='chat'><body>unblock</body></message>`);
    expect(await exited).toBe(0);
    const lines = output.split('\n').filter((line) => /^(list|push|done)/.test(line));
    expect(lines).toEqual(['list: ', 'push: block mallory@localhost', 'list: mallory@localhost', 'push: unblock mallory@localhost', 'list: ', 'done']);
    mallory.client.destroy();
    bob.client.destroy();
  }, 40_000);
});
