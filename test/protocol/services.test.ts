// Basic server services and IQ/message semantics over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';

let server: ServerProcess;
let alice: { client: XmlClient; jid: string };

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
  await server.addUser('bob@localhost', 'builder');
  alice = await login(server.ports.c2s, 'alice', 'wonderland', 'desk');
});

afterAll(async () => {
  alice?.client.destroy();
  await server?.stop();
  server?.cleanup();
});

async function ask(client: XmlClient, xml: string, id: string) {
  client.send(xml);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

describe('IQ semantics (RFC 6120 §8.2.3)', () => {
  it('RFC 6120 §8.2.3: an IQ get nobody handles gets service-unavailable', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='u1' to='localhost'><query xmlns='urn:example:nothing'/></iq>", 'u1');
    expect(reply.attrs.type).toBe('error');
    expect(reply.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    expect(reply.attrs.to).toBe(alice.jid);
  });

  it('RFC 6120 §8.2.3: an IQ get with two children gets bad-request', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='u2' to='localhost'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>", 'u2');
    expect(reply.getChild('error')?.getChild('bad-request')).toBeDefined();
  });

  it('RFC 6120 §8.2.3: an IQ get with no child gets bad-request', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='u3' to='localhost'/>", 'u3');
    expect(reply.getChild('error')?.getChild('bad-request')).toBeDefined();
  });

  it('RFC 6120 §8.3.3.8: a malformed to gets jid-malformed', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='u4' to='a@b@c'><ping xmlns='urn:xmpp:ping'/></iq>", 'u4');
    expect(reply.getChild('error')?.getChild('jid-malformed')).toBeDefined();
  });
});

describe('server services', () => {
  it('XEP-0199 §4.2: the server answers a ping', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>", 'p1');
    expect(reply.attrs.type).toBe('result');
    expect(reply.attrs.from).toBe('localhost');
  });

  it('XEP-0030: disco#info on the server lists identity and features', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='d1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>", 'd1');
    const query = reply.getChild('query', 'http://jabber.org/protocol/disco#info')!;
    expect(query.getChild('identity')?.attrs).toMatchObject({ category: 'server', type: 'im' });
    const features = query.getChildren('feature').map((f) => f.attrs.var);
    expect(features).toEqual(expect.arrayContaining(['http://jabber.org/protocol/disco#info', 'urn:xmpp:ping', 'jabber:iq:version', 'urn:xmpp:time']));
  });

  it('XEP-0030: disco#info on an account answers for the account', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='d2' to='bob@localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>", 'd2');
    expect(reply.attrs.type).toBe('result');
    expect(reply.getChild('query')?.getChild('identity')?.attrs.category).toBe('account');
  });

  it('XEP-0092: software version names Herald', async () => {
    const reply = await ask(alice.client, "<iq type='get' id='v1' to='localhost'><query xmlns='jabber:iq:version'/></iq>", 'v1');
    expect(reply.getChild('query')?.getChildText('name')).toBe('Herald');
    expect(reply.getChild('query')?.getChildText('version')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('XEP-0202: entity time is UTC now', async () => {
    const before = Date.now();
    const reply = await ask(alice.client, "<iq type='get' id='t1' to='localhost'><time xmlns='urn:xmpp:time'/></iq>", 't1');
    const utc = Date.parse(reply.getChild('time')!.getChildText('utc')!);
    expect(utc).toBeGreaterThanOrEqual(before - 1000);
    expect(utc).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe('messages between two users (RFC 6121 §8.5)', () => {
  it('RFC 6121 §8.5.2.1.1: a chat to a bare JID reaches the available resource, stamped with the sender', async () => {
    const bob = await login(server.ports.c2s, 'bob', 'builder', 'home');
    bob.client.send('<presence/>');
    await bob.client.next('presence');
    alice.client.send("<message to='bob@localhost' type='chat' id='m1'><body>hello bob</body></message>");
    const got = await bob.client.next('message');
    expect(got.attrs.from).toBe(alice.jid);
    expect(got.getChildText('body')).toBe('hello bob');
    bob.client.destroy();
  });

  it('RFC 6121 §8.5.3.1: a message to a full JID reaches that resource even without presence', async () => {
    const bob = await login(server.ports.c2s, 'bob', 'builder', 'silent');
    alice.client.send(`<message to='${bob.jid}' id='m2'><body>direct</body></message>`);
    expect((await bob.client.next('message')).getChildText('body')).toBe('direct');
    bob.client.destroy();
  });

  it('RFC 6121 §8.5.2.2.1: with no available resource a chat is stored and delivered at the next initial presence', async () => {
    alice.client.send("<message to='bob@localhost' type='chat' id='m3'><body>anyone?</body></message>");
    const bob = await login(server.ports.c2s, 'bob', 'builder', 'later');
    bob.client.send('<presence/>');
    const stored = await bob.client.next((el) => el.name === 'message' && el.attrs.id === 'm3');
    expect(stored.getChild('delay', 'urn:xmpp:delay')?.attrs.from).toBe('localhost');
    expect(alice.client.inbox.some((el) => el.attrs.id === 'm3')).toBe(false);
    bob.client.destroy();
  });

  it('RFC 6121 §8.5.1: a message to an account that does not exist gets the same service-unavailable', async () => {
    alice.client.send("<message to='nobody@localhost' type='chat' id='m4'><body>hello?</body></message>");
    const error = await alice.client.next((el) => el.name === 'message' && el.attrs.id === 'm4');
    expect(error.getChild('error')?.getChild('service-unavailable')).toBeDefined();
  });

  it('an IQ between two clients is routed to the full JID and the result back', async () => {
    const bob = await login(server.ports.c2s, 'bob', 'builder', 'iq');
    alice.client.send(`<iq type='get' id='c2c' to='${bob.jid}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const request = await bob.client.next('iq');
    expect(request.attrs.from).toBe(alice.jid);
    bob.client.send(`<iq type='result' id='c2c' to='${alice.jid}'/>`);
    const result = await alice.client.next((el) => el.name === 'iq' && el.attrs.id === 'c2c');
    expect(result.attrs).toMatchObject({ type: 'result', from: bob.jid });
    bob.client.destroy();
  });
});

describe('graceful stop', () => {
  it('RFC 6120 §4.9.3.20: SIGTERM closes streams with system-shutdown and exits 0', async () => {
    const other = await ServerProcess.start();
    try {
      await other.addUser('dave@localhost', 'pw');
      const dave = await login(other.ports.c2s, 'dave', 'pw');
      const code = other.stop();
      expect(await dave.client.streamError()).toBe('system-shutdown');
      expect(await code).toBe(0);
    } finally {
      other.cleanup();
    }
  });
});
