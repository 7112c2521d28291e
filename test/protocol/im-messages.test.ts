// RFC 6121 §8.5 message delivery and XEP-0280 carbons over real sockets with several clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { barrier, nextMessage, nextPresence } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

let server: ServerProcess;
let sender: { client: XmlClient; jid: string };
const open: XmlClient[] = [];

async function online(user: string, resource: string, priority?: number) {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  open.push(session.client);
  session.client.send(priority === undefined ? '<presence/>' : `<presence><priority>${priority}</priority></presence>`);
  await nextPresence(session.client, session.jid);
  return session;
}

const isBody = (text: string) => (el: { name: string; getChildText(n: string): string | null }) => el.name === 'message' && el.getChildText('body') === text;

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['sender', 'rcpt1', 'rcpt2', 'rcpt3', 'rcpt4', 'carb']) await server.addUser(`${user}@localhost`, 'pw');
  sender = await online('sender', 's');
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('delivery to a bare JID (RFC 6121 §8.5.2)', () => {
  it('RFC 6121 §8.5.2.1.1: chat goes to the highest-priority resource only', async () => {
    const high = await online('rcpt1', 'high', 5);
    const low = await online('rcpt1', 'low', 1);
    sender.client.send("<message to='rcpt1@localhost' type='chat'><body>to the highest</body></message>");
    await high.client.next(isBody('to the highest'));
    await barrier(sender.client, low.client, low.jid);
    expect(low.client.inbox.some(isBody('to the highest'))).toBe(false);
  });

  it('RFC 6121 §8.5.2.1.1: resources with equal highest priority all get the chat', async () => {
    const a = await online('rcpt2', 'a', 3);
    const b = await online('rcpt2', 'b', 3);
    sender.client.send("<message to='rcpt2@localhost' type='chat'><body>to both</body></message>");
    await a.client.next(isBody('to both'));
    await b.client.next(isBody('to both'));
  });

  it('RFC 6121 §8.5.2.1.2: headline goes to every non-negative resource, not to negative ones', async () => {
    const a = await online('rcpt3', 'a', 0);
    const b = await online('rcpt3', 'b', 7);
    const negative = await online('rcpt3', 'neg', -1);
    sender.client.send("<message to='rcpt3@localhost' type='headline'><body>news</body></message>");
    await a.client.next(isBody('news'));
    await b.client.next(isBody('news'));
    await barrier(sender.client, negative.client, negative.jid);
    expect(negative.client.inbox.some(isBody('news'))).toBe(false);
  });

  it('RFC 6121 §8.5.2.2: only negative-priority resources → not delivered to them, kept for a non-negative one', async () => {
    const negative = await online('rcpt4', 'neg', -5);
    sender.client.send("<message to='rcpt4@localhost' type='chat' id='neg1'><body>anyone?</body></message>");
    // §8.5.3.1: a full JID still reaches a negative-priority resource.
    sender.client.send(`<message to='${negative.jid}' type='chat'><body>direct to negative</body></message>`);
    await negative.client.next(isBody('direct to negative'));
    expect(negative.client.inbox.some(isBody('anyone?'))).toBe(false);
    expect(sender.client.inbox.some((el) => el.attrs.id === 'neg1')).toBe(false);
    const later = await online('rcpt4', 'later', 0);
    await later.client.next(isBody('anyone?'));
  });

  it('RFC 6121 §8.5.2.1.3: groupchat to a bare user JID gets an error', async () => {
    sender.client.send("<message to='rcpt2@localhost' type='groupchat' id='gc1'><body>room?</body></message>");
    const error = await sender.client.next((el) => el.name === 'message' && el.attrs.id === 'gc1');
    expect(error.attrs.type).toBe('error');
  });

  it('RFC 6121 §8.5.3.2.1: a full JID with no such resource falls back to the bare JID for chat', async () => {
    const a = await online('rcpt1', 'fallback', 9);
    sender.client.send("<message to='rcpt1@localhost/gone' type='chat'><body>fallback</body></message>");
    await a.client.next(isBody('fallback'));
  });
});

describe('order', () => {
  it('1,000 messages from one sender arrive in order', async () => {
    const receiver = await online('rcpt2', 'ordered', 10);
    const total = 1000;
    let batch = '';
    for (let i = 0; i < total; i++) batch += `<message to='${receiver.jid}' type='chat' id='o${i}'><body>${i}</body></message>`;
    sender.client.send(batch);
    for (let i = 0; i < total; i++) {
      const message = await receiver.client.next((el) => el.name === 'message' && el.attrs.id?.startsWith('o') === true, 10_000);
      expect(message.attrs.id).toBe(`o${i}`);
    }
  });
});

describe('message carbons (XEP-0280)', () => {
  async function enableCarbons(client: XmlClient) {
    client.send("<iq type='set' id='carbons-on'><enable xmlns='urn:xmpp:carbons:2'/></iq>");
    expect((await client.next((el) => el.attrs.id === 'carbons-on')).attrs.type).toBe('result');
  }

  it('XEP-0280 §6: received and sent copies reach the other enabled resource; private is not copied', async () => {
    const phone = await online('carb', 'phone', 1);
    const laptop = await online('carb', 'laptop', 1);
    await enableCarbons(phone.client);
    await enableCarbons(laptop.client);

    sender.client.send(`<message to='${phone.jid}' type='chat' id='c1'><body>for the phone</body></message>`);
    await phone.client.next(isBody('for the phone'));
    const received = await laptop.client.next((el) => el.name === 'message' && el.getChild('received', 'urn:xmpp:carbons:2') !== undefined);
    expect(received.attrs.from).toBe('carb@localhost');
    const forwarded = received.getChild('received')!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!;
    expect(forwarded.getChildText('body')).toBe('for the phone');
    expect(forwarded.attrs.from).toBe(sender.jid);

    laptop.client.send(`<message to='${sender.jid}' type='chat' id='c2'><body>from the laptop</body></message>`);
    await sender.client.next(isBody('from the laptop'));
    const sent = await phone.client.next((el) => el.name === 'message' && el.getChild('sent', 'urn:xmpp:carbons:2') !== undefined);
    expect(sent.getChild('sent')!.getChild('forwarded')!.getChild('message')!.getChildText('body')).toBe('from the laptop');

    sender.client.send(`<message to='${phone.jid}' type='chat'><body>secret</body><private xmlns='urn:xmpp:carbons:2'/></message>`);
    await phone.client.next(isBody('secret'));
    await barrier(sender.client, laptop.client, laptop.jid);
    expect(laptop.client.inbox.some((el) => el.getChild('received', 'urn:xmpp:carbons:2')?.toString().includes('secret') === true)).toBe(false);
  });

  it('XEP-0280 §3: carbons are advertised in the server disco#info', async () => {
    sender.client.send("<iq type='get' id='disco-c' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    const reply = await sender.client.next((el) => el.attrs.id === 'disco-c');
    expect(reply.getChild('query')!.getChildren('feature').map((f) => f.attrs.var)).toContain('urn:xmpp:carbons:2');
  });
});
