// XEP-0363 with an independent client: slixmpp's xep_0363 plugin (Debian python3-slixmpp, with
// python3-aiohttp for HTTP) uploads a file and sends its URL to a contact, who downloads it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { httpRequest } from '../harness/upload.js';

const SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-upload.py');
let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  await server.addUser('bob@localhost', 'pw');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('slixmpp 1.8.3 xep_0363', () => {
  it('XEP-0363 §3-§5: slixmpp finds the service, uploads a file, and its contact downloads it over HTTPS', async () => {
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'desk');
    const file = path.join(server.dir, 'greeting.txt');
    const content = `hello from slixmpp ${'x'.repeat(5000)}\n`;
    fs.writeFileSync(file, content);
    const child = spawn('/usr/bin/python3', [SCRIPT, 'alice@localhost', 'pw', String(server.ports.c2s), file, bob.jid], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      // aiohttp verifies HTTPS: trust the test server's self-signed certificate.
      env: { ...process.env, SSL_CERT_FILE: path.join(server.dir, 'certs', 'localhost.crt') },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(output).toMatch(/^service upload\.localhost 104857600$/m);
    expect(output).toMatch(/^url https:\/\/localhost:\d+\/upload\//m);
    expect(code).toBe(0);
    const message = await nextMessage(bob.client);
    const url = message.getChild('x', 'jabber:x:oob')!.getChildText('url')!;
    expect(output).toContain(url);
    const fetched = await httpRequest('GET', url);
    expect(fetched.status).toBe(200);
    expect(fetched.body.toString()).toBe(content);
    expect(fetched.headers['content-type']).toBe('text/plain');
    bob.client.destroy();
  });
});
