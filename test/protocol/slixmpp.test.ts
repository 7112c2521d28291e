// slixmpp as Debian 12 ships it (python3-slixmpp 1.8.3) logs in with default settings. On TLS 1.3
// it first tries SCRAM-*-PLUS with tls-unique (undefined there), then SCRAM with gs2 flag 'y',
// which Herald refuses as a downgrade since it offered -PLUS, and then falls back further: those
// channel-binding refusals must not end the stream or feed the throttles (issue 16).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { settled } from '../harness/mam.js';
import { xml } from '@xmpp/client';
import { waitFor, xmppJs } from '../harness/xmppjs.js';

const SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-login.py');
const MAM_SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-mam.py');

/** Debian's own interpreter, where python3-slixmpp is installed (not a pyenv or venv one). */
function slixmppLogin(jid: string, password: string, port: number, script = SCRIPT, ...extra: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn('/usr/bin/python3', [script, jid, password, String(port), ...extra], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

let server: ServerProcess;

beforeAll(async () => {
  // The default per-address slowdown applies (5 failures a minute).
  // No modules: key: the archive is on by default.
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
  await server.addUser('bob@localhost', 'builder');
  await server.addUser('carol@localhost', 'xmppjs-1');
  await server.addUser('dave@localhost', 'xmppjs-2');
}, 60_000);

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

  it('XEP-0313 §4.1.4: its xep_0313 plugin pages through an archive a raw-XML conversation made, forwards and backwards', async () => {
    const alice = await login(server.ports.c2s, 'alice', 'wonderland', 'raw');
    const bob = await login(server.ports.c2s, 'bob', 'builder', 'raw');
    const sent = Array.from({ length: 25 }, (_, n) => `line ${n}`);
    for (const [n, text] of sent.entries()) {
      const [from, to] = n % 2 === 0 ? [alice, bob] : [bob, alice];
      from.client.send(`<message to='${to.jid}' type='chat' id='s${n}'><body>${text}</body></message>`);
      await nextMessage(to.client, (el) => el.attrs.id === `s${n}`);
    }
    await settled(alice.client);
    await settled(bob.client);
    alice.client.destroy();
    bob.client.destroy();

    const forwards = await slixmppLogin('alice@localhost', 'wonderland', server.ports.c2s, MAM_SCRIPT);
    expect(forwards.output).toContain('done 25');
    expect(bodiesIn(forwards.output)).toEqual(sent);
    const backwards = await slixmppLogin('alice@localhost', 'wonderland', server.ports.c2s, MAM_SCRIPT, 'reverse');
    expect(backwards.output).toContain('done 25');
    expect(bodiesIn(backwards.output)).toEqual([...sent].reverse());
  });
});

describe('slixmpp reads what another client library wrote', () => {
  it('XEP-0313 §4.1.4: its xep_0313 plugin pages through an archive an @xmpp/client (xmpp.js) conversation made', async () => {
    const carol = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'carol', 'xmppjs-1', 'js');
    const dave = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'dave', 'xmppjs-2', 'js');
    for (const xmpp of [carol, dave]) {
      await xmpp.send(xml('presence'));
      await xmpp.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    }
    const sent = Array.from({ length: 12 }, (_, n) => `xmpp.js line ${n}`);
    for (const [n, text] of sent.entries()) {
      const [from, to] = n % 2 === 0 ? [carol, dave] : [dave, carol];
      const arrived = waitFor(to, (stanza) => stanza.is('message') && stanza.attrs.id === `js${n}`);
      await from.send(xml('message', { to: n % 2 === 0 ? 'dave@localhost' : 'carol@localhost', type: 'chat', id: `js${n}` }, xml('body', {}, text)));
      await arrived;
    }
    // A round trip after the last message: everything before it was handled (and archived first
    // for any query, which waits for archiving in flight).
    await carol.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    await carol.stop();
    await dave.stop();

    const forwards = await slixmppLogin('carol@localhost', 'xmppjs-1', server.ports.c2s, MAM_SCRIPT);
    expect(forwards.output).toContain('done 12');
    expect(bodiesIn(forwards.output)).toEqual(sent);
  });
});

function bodiesIn(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('body: ')).map((line) => line.slice('body: '.length));
}
