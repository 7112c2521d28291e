// XEP-0160 offline messages over real sockets and SQLite: stored while the account is offline,
// delivered at the next login in order with XEP-0203 delays, exactly once; receipts travelling
// back (to an online sender, or stored for an offline one); the quota; `herald user stats`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage, nextPresence, nothingBefore } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const RECEIPTS = 'urn:xmpp:receipts';
const DELAY = 'urn:xmpp:delay';
const SID = 'urn:xmpp:sid:0';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
/** Storing waits for the disk (synchronous = FULL); give a slow one time. */
const SLOW_MS = 30_000;

const open: XmlClient[] = [];
afterAll(() => {
  for (const client of open) client.destroy();
});

/** Logs in and sends initial presence; resolves once the server echoed it (delivery done by then). */
async function online(server: ServerProcess, user: string, resource: string) {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  open.push(session.client);
  session.client.send('<presence/>');
  await nextPresence(session.client, session.jid);
  return session;
}

/** Ends the connection and waits until the server has ended the session. */
async function offline(server: ServerProcess, session: { client: XmlClient; jid: string }): Promise<void> {
  session.client.destroy();
  await server.waitForLog((l) => l.msg === 'session closed' && l.jid === session.jid);
}

/** The client's stanzas are handled in order: once a ping is answered, everything before it was. */
async function handled(client: XmlClient): Promise<void> {
  const id = `ping-${Math.random().toString(36).slice(2)}`;
  client.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await client.next((el) => el.attrs.id === id, SLOW_MS);
}

async function stats(server: ServerProcess, jid: string): Promise<string> {
  const result = await server.cli(['user', 'stats', jid]);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

const hasBody = (el: Element) => el.name === 'message' && el.getChild('body') !== undefined;

describe('XEP-0160 offline messages', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start();
    for (const user of ['romeo', 'juliet', 'benvolio', 'rosaline', 'mercutio', 'tybalt']) await server.addUser(`${user}@localhost`, 'pw');
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('XEP-0160 §2: 200 messages to an offline user arrive at the next login in order, with delays, exactly once', async () => {
    const romeo = await online(server, 'romeo', 'garden');
    const ids = Array.from({ length: 200 }, (_, n) => `o-${n}`);
    romeo.client.send(ids.map((id) => `<message to='juliet@localhost' type='chat' id='${id}'><body>${id}</body><request xmlns='${RECEIPTS}'/></message>`).join(''));
    await handled(romeo.client);
    // Stored, and nothing told the sender otherwise (RFC 6121 §8.5.2.2: no error).
    expect(romeo.client.inbox.filter((el) => el.attrs.type === 'error')).toEqual([]);
    expect(await stats(server, 'juliet@localhost')).toBe('juliet@localhost: 200 offline messages');

    const juliet = await login(server.ports.c2s, 'juliet', 'pw', 'balcony');
    open.push(juliet.client);
    juliet.client.send('<presence/>');
    const got: Element[] = [];
    for (let n = 0; n < 200; n++) got.push(await nextMessage(juliet.client, hasBody));
    expect(got.map((m) => m.getChildText('body'))).toEqual(ids);
    for (const message of got) {
      expect(message.attrs.from).toBe(romeo.jid);
      expect(message.getChild('request', RECEIPTS)).toBeDefined();
      // XEP-0203: from our domain, a UTC stamp.
      const delay = message.getChild('delay', DELAY);
      expect(delay?.attrs.from).toBe('localhost');
      expect(delay?.attrs.stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      // XEP-0359: the id the client de-duplicates by.
      expect(message.getChildren('stanza-id', SID).filter((s) => s.attrs.by === 'juliet@localhost')).toHaveLength(1);
    }
    expect(await nothingBefore(juliet.client, hasBody)).toBe(true);
    expect(await stats(server, 'juliet@localhost')).toBe('juliet@localhost: 0 offline messages');

    // Exactly once: the next login finds nothing.
    await offline(server, juliet);
    const again = await online(server, 'juliet', 'balcony');
    expect(await nothingBefore(again.client, hasBody)).toBe(true);
  });

  it('XEP-0184: the receipt the recipient sends for a stored message reaches the sender', async () => {
    const benvolio = await online(server, 'benvolio', 'street');
    benvolio.client.send(`<message to='rosaline@localhost' type='chat' id='r-1'><body>read me</body><request xmlns='${RECEIPTS}'/></message>`);
    await handled(benvolio.client);

    const rosaline = await online(server, 'rosaline', 'home');
    const message = await nextMessage(rosaline.client, hasBody);
    rosaline.client.send(`<message to='${message.attrs.from}' id='ack-1'><received xmlns='${RECEIPTS}' id='${message.attrs.id}'/></message>`);
    const receipt = await nextMessage(benvolio.client, (el) => el.getChild('received', RECEIPTS) !== undefined);
    expect(receipt.attrs.from).toBe(rosaline.jid);
    expect(receipt.getChild('received', RECEIPTS)?.attrs.id).toBe('r-1');
  });

  it('XEP-0184 / XEP-0160 §2: a receipt for a sender who went offline is stored and delivered at its next login', async () => {
    const mercutio = await online(server, 'mercutio', 'square');
    mercutio.client.send(`<message to='tybalt@localhost' type='chat' id='t-1'><body>a plague</body><request xmlns='${RECEIPTS}'/></message>`);
    await handled(mercutio.client);
    await offline(server, mercutio);

    const tybalt = await online(server, 'tybalt', 'street');
    const message = await nextMessage(tybalt.client, hasBody);
    // Addressed to the full JID that is gone: RFC 6121 §8.5.3.2.1 falls back to the bare JID.
    tybalt.client.send(`<message to='${message.attrs.from}' id='ack-2'><received xmlns='${RECEIPTS}' id='${message.attrs.id}'/></message>`);
    await handled(tybalt.client);
    expect(tybalt.client.inbox.filter((el) => el.attrs.type === 'error')).toEqual([]);
    expect(await stats(server, 'mercutio@localhost')).toBe('mercutio@localhost: 1 offline message');

    const back = await login(server.ports.c2s, 'mercutio', 'pw', 'home');
    open.push(back.client);
    back.client.send('<presence/>');
    const receipt = await nextMessage(back.client, (el) => el.getChild('received', RECEIPTS) !== undefined);
    expect(receipt.attrs.from).toBe(tybalt.jid);
    expect(receipt.getChild('received', RECEIPTS)?.attrs.id).toBe('t-1');
    expect(receipt.getChild('delay', DELAY)?.attrs.from).toBe('localhost');
  });

  it('herald user stats: an unknown account is an error (exit 1)', async () => {
    const result = await server.cli(['user', 'stats', 'nobody@localhost']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('herald: no account nobody@localhost');
    expect(result.stdout).toBe('');
  });
});

describe('XEP-0160 offline quota', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ extraYaml: 'modules:\n  offline:\n    options:\n      quota: 5' });
    for (const user of ['alice', 'bob']) await server.addUser(`${user}@localhost`, 'pw');
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('XEP-0160 §2: once the queue is full the sender gets service-unavailable saying so', async () => {
    const alice = await online(server, 'alice', 'desk');
    alice.client.send(Array.from({ length: 6 }, (_, n) => `<message to='bob@localhost' type='chat' id='q-${n + 1}'><body>${n + 1}</body></message>`).join(''));
    const error = await alice.client.next((el) => el.name === 'message' && el.attrs.type === 'error', SLOW_MS);
    expect(error.attrs.id).toBe('q-6');
    expect(error.attrs.from).toBe('bob@localhost');
    const condition = error.getChild('error');
    expect(condition?.getChild('service-unavailable', STANZAS)).toBeDefined();
    expect(condition?.getChildText('text', STANZAS)).toBe("the recipient's offline storage is full");
    expect(await nothingBefore(alice.client, (el) => el.attrs.type === 'error')).toBe(true);
    expect(await stats(server, 'bob@localhost')).toBe('bob@localhost: 5 offline messages');
  });
});
