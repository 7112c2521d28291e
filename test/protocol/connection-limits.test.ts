// Caps a client cannot talk its way around: connections and unauthenticated connections per
// address, resources per account (issue 13, item 7).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { XmlClient } from '../harness/xml-client.js';
import { connectSecured, features, login, NS_BIND, scramAuth } from '../harness/login.js';
import { nextMessage, nextPresence } from '../harness/im.js';

const SM = 'urn:xmpp:sm:3';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';

describe('connections per address (limits.maxConnectionsPerAddress, maxUnauthenticatedPerAddress)', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ extraYaml: 'limits:\n  maxConnectionsPerAddress: 4\n  maxUnauthenticatedPerAddress: 2' });
    await server.addUser('alice@localhost', 'wonderland');
  });

  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  const released = (count: number) =>
    server.waitForLog((l) => l.msg === 'client connection closed' && l.address === '127.0.0.1' && l.open === count);

  /** The stream error a refused connection gets, read from a fresh connection that sends nothing. */
  async function refusal(): Promise<{ condition: string; text: string | undefined }> {
    const client = await XmlClient.connect(server.ports.c2s);
    const error = await client.next('stream:error');
    await client.closed();
    const condition = error.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STREAMS && c.name !== 'text');
    return { condition: condition?.name ?? '(none)', text: error.getChildText('text', STREAMS) ?? undefined };
  }

  it('RFC 6120 §4.9.3.14: a connection over a per-address limit gets policy-violation with the reason and is closed', async () => {
    const { client: loggedIn } = await login(server.ports.c2s, 'alice', 'wonderland', 'one');
    const waiting = [(await connectSecured(server.ports.c2s)).client, (await connectSecured(server.ports.c2s)).client];

    // Two connections have not logged in: a third may not even start.
    const tooManyWaiting = await refusal();
    expect(tooManyWaiting.condition).toBe('policy-violation');
    expect(tooManyWaiting.text).toMatch(/have not logged in \(at most 2\)/);
    // On direct TLS the refusal costs no handshake: the TCP connection is closed at once.
    await expect(XmlClient.connect(server.ports.directTls, { tls: true })).rejects.toThrow();

    // One logs in: room for one more unauthenticated connection, which fills the 4 allowed.
    const auth = await scramAuth(waiting[0]!, 'SCRAM-SHA-256', 'alice', 'wonderland');
    expect(auth).toEqual({ ok: true });
    const fourth = await XmlClient.connect(server.ports.c2s);
    await fourth.open();
    const tooMany = await refusal();
    expect(tooMany.condition).toBe('policy-violation');
    expect(tooMany.text).toMatch(/too many connections from 127\.0\.0\.1 \(at most 4\)/);

    // Another address is not affected.
    const other = net.connect({ port: server.ports.c2s, host: '127.0.0.1', localAddress: '127.0.0.2' });
    await new Promise<void>((resolve, reject) => other.once('connect', resolve).once('error', reject));
    other.write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>");
    const answer = await new Promise<string>((resolve) => other.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(answer).not.toContain('policy-violation');
    other.destroy();

    // Closing one makes room again.
    fourth.end();
    await released(3);
    const again = await XmlClient.connect(server.ports.c2s);
    await again.open();
    await features(again);
    expect(again.isClosed).toBe(false);
    for (const client of [loggedIn, ...waiting, again]) client.destroy();
  });
});

describe('resources per account (limits.maxResourcesPerAccount)', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ extraYaml: 'limits:\n  maxResourcesPerAccount: 2' });
    for (const user of ['alice', 'bob', 'carol']) await server.addUser(`${user}@localhost`, 'pw');
  });

  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  /** Authenticates a new connection and sends a bind request; returns the connection and the reply. */
  async function tryBind(user: string, resource: string): Promise<{ client: XmlClient; reply: Element }> {
    const { client } = await connectSecured(server.ports.c2s);
    expect(await scramAuth(client, 'SCRAM-SHA-256', user, 'pw')).toEqual({ ok: true });
    await client.open();
    await features(client);
    client.send(`<iq type='set' id='b-${resource}'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`);
    return { client, reply: await client.next((el) => el.attrs.id === `b-${resource}`) };
  }

  it('RFC 6120 §7.6.2.1: one resource more than allowed gets resource-constraint; replacing a resource does not count twice', async () => {
    const first = await login(server.ports.c2s, 'alice', 'pw', 'r1');
    const second = await login(server.ports.c2s, 'alice', 'pw', 'r2');

    const third = await tryBind('alice', 'r3');
    expect(third.reply.attrs.type).toBe('error');
    const error = third.reply.getChild('error')!;
    expect(error.attrs.type).toBe('wait');
    expect(error.getChild('resource-constraint', STANZAS)).toBeDefined();
    expect(error.getChildText('text', STANZAS)).toMatch(/at most 2 resources/);
    // The refused connection stays open and may bind once a resource is gone.
    first.client.end();
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === first.jid);
    third.client.send(`<iq type='set' id='b-retry'><bind xmlns='${NS_BIND}'><resource>r3</resource></bind></iq>`);
    expect((await third.client.next((el) => el.attrs.id === 'b-retry')).attrs.type).toBe('result');

    // Binding a full JID in use replaces that session (RFC 6120 §7.7.2.2) within the limit.
    const replacing = await tryBind('alice', 'r2');
    expect(replacing.reply.attrs.type).toBe('result');
    expect(await second.client.streamError()).toBe('conflict');
    for (const client of [second.client, third.client, replacing.client]) client.destroy();
  });

  it('a hibernating XEP-0198 session makes room, and its queued messages go to offline storage', async () => {
    const sleepy = await login(server.ports.c2s, 'bob', 'pw', 'sleepy');
    sleepy.client.send(`<enable xmlns='${SM}' resume='true'/>`);
    await sleepy.client.next('enabled');
    const awake = await login(server.ports.c2s, 'bob', 'pw', 'awake');
    sleepy.client.destroy();
    await server.waitForLog((l) => l.msg === 'connection lost; session kept for resumption' && l.jid === sleepy.jid);

    // A message for the hibernating resource waits in its queue.
    const carol = await login(server.ports.c2s, 'carol', 'pw', 'c');
    carol.client.send(`<message to='${sleepy.jid}' type='chat' id='m1'><body>while you slept</body></message>`);
    carol.client.send("<iq type='get' id='after' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
    await carol.client.next((el) => el.attrs.id === 'after');

    const fresh = await tryBind('bob', 'fresh');
    expect(fresh.reply.attrs.type).toBe('result');
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === sleepy.jid);
    fresh.client.send('<presence/>');
    await nextPresence(fresh.client, 'bob@localhost/fresh');
    const offline = await nextMessage(fresh.client, (m) => m.getChildText('body') === 'while you slept');
    expect(offline.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
    for (const client of [awake.client, carol.client, fresh.client]) client.destroy();
  });
});
