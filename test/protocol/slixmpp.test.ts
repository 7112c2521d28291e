// slixmpp as Debian 12 ships it (python3-slixmpp 1.8.3) logs in with default settings. On TLS 1.3
// it first tries SCRAM-*-PLUS with tls-unique (undefined there), then SCRAM with gs2 flag 'y',
// which Herald refuses as a downgrade since it offered -PLUS, and then falls back further: those
// channel-binding refusals must not end the stream or feed the throttles (issue 16).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';

const SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-login.py');

/** Debian's own interpreter, where python3-slixmpp is installed (not a pyenv or venv one). */
function slixmppLogin(jid: string, password: string, port: number): Promise<{ code: number | null; output: string }> {
  const child = spawn('/usr/bin/python3', [SCRIPT, jid, password, String(port)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

let server: ServerProcess;

beforeAll(async () => {
  // The default per-address slowdown applies (5 failures a minute).
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('slixmpp 1.8.3 (Debian python3-slixmpp)', () => {
  it('logs in with default settings over STARTTLS', async () => {
    const result = await slixmppLogin('alice@localhost', 'wonderland', server.ports.c2s);
    expect(result.output).toContain('logged-in');
    expect(result.code).toBe(0);
  });
});
