// Independent clients in one Herald room: Debian's slixmpp (python3-slixmpp 1.8.3, its xep_0045
// plugin) creates and configures the room and invites an xmpp.js (@xmpp/client) user, who joins
// over WebSocket (RFC 7395); they chat both ways. Neither shares code with Herald or each other.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import WebSocket from 'ws';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { waitFor, xmppJs } from '../harness/xmppjs.js';
import { freshRoom } from '../harness/muc.js';

// xmpp.js's WebSocket transport uses the global WebSocket, which Node 20 does not have yet.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const SCRIPT = path.join(REPO_ROOT, 'test/clients/slixmpp-muc.py');
const MUC_USER = 'http://jabber.org/protocol/muc#user';

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
  await server.addUser('bob@localhost', 'builder');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0045 with independent clients', () => {
  it('XEP-0045 §10.1/§7.8.2/§7.4: slixmpp creates and configures a room and invites an xmpp.js user on WebSocket; they chat', async () => {
    const room = freshRoom('clients');
    const bob = await xmppJs(`wss://127.0.0.1:${server.listenerPort('https')}/xmpp-websocket`, 'bob', 'builder', 'web');
    await bob.send(xml('presence'));
    const invited = waitFor(bob, (s) => s.is('message') && s.attrs.from === room && s.getChild('x', MUC_USER)?.getChild('invite') !== undefined);

    const child = spawn('/usr/bin/python3', [SCRIPT, 'alice@localhost', 'wonderland', String(server.ports.c2s), room, 'bob@localhost'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

    const invitation = await invited;
    expect(invitation.getChild('x', MUC_USER)!.getChild('invite')!.attrs.from).toBe('alice@localhost');
    const joined = waitFor(bob, (s) => s.is('presence') && s.attrs.from === `${room}/Bob` && (s.getChild('x', MUC_USER)?.getChildren('status') ?? []).some((c) => c.attrs.code === '110'));
    await bob.send(xml('presence', { to: `${room}/Bob` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await joined;
    const answer = waitFor(bob, (s) => s.is('message') && s.attrs.from === `${room}/Slix` && s.getChildText('body') === 'hello from slixmpp');
    await bob.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, 'hello from xmppjs')));
    await answer;
    expect(await exited).toBe(0);
    expect(output).toContain('joined 110 170 201');
    expect(output).toContain('configured');
    expect(output).toContain('got: hello from xmppjs');
    expect(output).toContain('echoed');
    await bob.stop();
  }, 45_000);
});
