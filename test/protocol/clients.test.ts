// Independent client implementations logging in to a real Herald: xmpp.js (@xmpp/client) and
// go-sendxmpp (Go, go-xmpp), which share no code with each other or with Herald.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml, type XmppClient } from '@xmpp/client';
import type { Element } from 'ltx';
import { ServerProcess } from '../harness/server-process.js';
import { waitFor, xmppJs } from '../harness/xmppjs.js';

/** Runs go-sendxmpp, which reads the message from standard input; resolves with its exit code. */
function goSendxmpp(args: string[], message: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('go-sendxmpp', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 15_000 });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin.end(`${message}\n`);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
  await server.addUser('bob@localhost', 'builder');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

function nextMessage(xmpp: XmppClient): Promise<Element> {
  return new Promise((resolve) => xmpp.on('stanza', (stanza) => stanza.is('message') && resolve(stanza)));
}

describe('xmpp.js (@xmpp/client)', () => {
  it('logs in over STARTTLS (5222-style port) and gets a ping answer', async () => {
    const xmpp = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'alice', 'wonderland', 'xmppjs');
    const result = await xmpp.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    expect(result.attrs.type).toBe('result');
    // xmpp.js 0.14 logs in with SASL2 + Bind 2 where offered: its resource is the Bind 2 tag
    // followed by a server-chosen part (XEP-0386 §2.2.1).
    expect(xmpp.jid?.toString()).toMatch(/^alice@localhost\/xmppjs\/./);
    await xmpp.stop();
  });

  it('logs in over direct TLS (5223-style port) and gets a ping answer', async () => {
    const xmpp = await xmppJs(`xmpps://127.0.0.1:${server.ports.directTls}`, 'alice', 'wonderland', 'xmppjs-tls');
    const result = await xmpp.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    expect(result.attrs.type).toBe('result');
    await xmpp.stop();
  });

  it('two xmpp.js clients chat', async () => {
    const alice = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'alice', 'wonderland', 'a');
    const bob = await xmppJs(`xmpps://127.0.0.1:${server.ports.directTls}`, 'bob', 'builder', 'b');
    await bob.send(xml('presence'));
    await bob.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    const received = nextMessage(bob);
    await alice.send(xml('message', { to: 'bob@localhost', type: 'chat' }, xml('body', {}, 'hi bob, from xmpp.js')));
    const message = await received;
    expect(message.getChildText('body')).toBe('hi bob, from xmpp.js');
    expect(message.attrs.from).toBe(alice.jid?.toString());
    expect(message.attrs.from).toMatch(/^alice@localhost\/a\/./);
    await alice.stop();
    await bob.stop();
  });
});

describe('xmpp.js: XEP-0484 FAST', () => {
  it('XEP-0484 §4.3–4.4: xmpp.js keeps the token it is given and reconnects with it alone (HT-SHA-256-NONE)', async () => {
    let saved: unknown;
    const first = await xmppJs(`xmpps://127.0.0.1:${server.ports.directTls}`, 'alice', 'wonderland', 'fast', (x) => {
      x.fast.saveToken = async (token: unknown) => void (saved = token);
    }, 'xmppjs-fast-install');
    await first.stop();
    expect(saved).toMatchObject({ mechanism: 'HT-SHA-256-NONE' });
    // A wrong password this time: only the token can log this client in.
    const second = await xmppJs(`xmpps://127.0.0.1:${server.ports.directTls}`, 'alice', 'not-the-password', 'fast', (x) => {
      x.fast.fetchToken = async () => saved;
    }, 'xmppjs-fast-install');
    expect(second.jid?.toString()).toMatch(/^alice@localhost\/fast\//);
    await second.stop();
  });
});

describe('xmpp.js: subscribe, presence and chat (RFC 6121)', () => {
  it('two xmpp.js users subscribe to each other, see each other online and chat', async () => {
    await server.addUser('xena@localhost', 'xena-pw');
    await server.addUser('yuri@localhost', 'yuri-pw');
    const xena = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'xena', 'xena-pw', 'x');
    const yuri = await xmppJs(`xmpps://127.0.0.1:${server.ports.directTls}`, 'yuri', 'yuri-pw', 'y');
    const rosterQuery = () => xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' }));
    await xena.iqCaller.request(rosterQuery());
    await yuri.iqCaller.request(rosterQuery());
    await xena.send(xml('presence'));
    await yuri.send(xml('presence'));

    // Each approves the other's request as it arrives.
    for (const [client, other] of [[xena, 'yuri@localhost'], [yuri, 'xena@localhost']] as const) {
      client.on('stanza', (stanza) => {
        if (stanza.is('presence') && stanza.attrs.type === 'subscribe' && stanza.attrs.from === other) {
          void client.send(xml('presence', { to: other, type: 'subscribed' }));
        }
      });
    }
    const yuriSeesXena = waitFor(yuri, (s) => s.is('presence') && s.attrs.from === xena.jid?.toString() && s.attrs.type === undefined);
    const xenaSeesYuri = waitFor(xena, (s) => s.is('presence') && s.attrs.from === yuri.jid?.toString() && s.attrs.type === undefined);
    await xena.send(xml('presence', { to: 'yuri@localhost', type: 'subscribe' }));
    await yuri.send(xml('presence', { to: 'xena@localhost', type: 'subscribe' }));
    await Promise.all([yuriSeesXena, xenaSeesYuri]);

    const roster = await xena.iqCaller.request(rosterQuery());
    expect(roster.getChild('query')?.getChildren('item').map((i) => [i.attrs.jid, i.attrs.subscription])).toEqual([['yuri@localhost', 'both']]);

    const received = nextMessage(yuri);
    await xena.send(xml('message', { to: 'yuri@localhost', type: 'chat' }, xml('body', {}, 'we are both now')));
    expect((await received).getChildText('body')).toBe('we are both now');

    const offline = waitFor(yuri, (s) => s.is('presence') && s.attrs.from === xena.jid?.toString() && s.attrs.type === 'unavailable');
    await xena.stop();
    await offline;
    await yuri.stop();
  });
});

describe('go-sendxmpp (Go, go-xmpp)', () => {
  it('sends a message over STARTTLS that an xmpp.js client receives', async () => {
    const bob = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'bob', 'builder', 'listener');
    await bob.send(xml('presence'));
    await bob.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    const received = nextMessage(bob);
    const child = goSendxmpp(['-u', 'alice@localhost', '-p', 'wonderland', '-j', `127.0.0.1:${server.ports.c2s}`, '-n', 'bob@localhost'], 'hello from go-sendxmpp');
    const message = await received;
    expect(message.getChildText('body')).toBe('hello from go-sendxmpp');
    expect(message.attrs.from).toMatch(/^alice@localhost\//);
    expect((await child).code).toBe(0);
    await bob.stop();
  });

  it('sends over direct TLS too', async () => {
    const bob = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'bob', 'builder', 'listener2');
    await bob.send(xml('presence'));
    await bob.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    const received = nextMessage(bob);
    const child = goSendxmpp(['-t', '-u', 'alice@localhost', '-p', 'wonderland', '-j', `127.0.0.1:${server.ports.directTls}`, '-n', 'bob@localhost'], 'direct tls hello');
    expect((await received).getChildText('body')).toBe('direct tls hello');
    expect((await child).code).toBe(0);
    await bob.stop();
  });
});

describe('xmpp.js with stream management (XEP-0198)', () => {
  it('receives offline messages, acknowledges them with its own XEP-0198 code, and they are not delivered again', async () => {
    await server.addUser('zoe@localhost', 'zoe-pw');
    const { login } = await import('../harness/login.js');
    const sender = await login(server.ports.c2s, 'alice', 'wonderland', 'offline-sender');
    sender.client.send(Array.from({ length: 5 }, (_, i) => `<message to='zoe@localhost' type='chat' id='z${i}'><body>offline ${i}</body></message>`).join(''));
    const stats = async () => (await server.cli(['user', 'stats', 'zoe@localhost'])).stdout;
    // Stored before anything else happens (the sender's stream processes them in order).
    sender.client.send(`<iq type='get' id='after-z' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await sender.client.next((el) => el.attrs.id === 'after-z');
    expect(await stats()).toMatch(/: 5 offline messages/);

    const zoe = await xmppJs(`xmpp://127.0.0.1:${server.ports.c2s}`, 'zoe', 'zoe-pw', 'sm');
    const bodies: string[] = [];
    const allFive = new Promise<void>((resolve) =>
      zoe.on('stanza', (s) => {
        if (s.is('message') && s.getChild('body')) bodies.push(s.getChildText('body')!);
        if (bodies.length === 5) resolve();
      }),
    );
    await zoe.send(xml('presence'));
    await allFive;
    expect(bodies).toEqual([0, 1, 2, 3, 4].map((i) => `offline ${i}`));
    // xmpp.js answers the server's <r/>; only then are the stored copies deleted.
    await server.waitForLog((l) => l.msg === 'client acknowledged stanzas' && String(l.jid).startsWith('zoe@localhost/') && Number(l.h) >= 6);
    expect(await stats()).toMatch(/: 0 offline messages/);
    await zoe.stop();
    sender.client.destroy();
  });
});
