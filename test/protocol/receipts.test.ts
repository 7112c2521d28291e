// XEP-0184 receipts: routed untouched end to end, and emitted by Herald on behalf of a client
// only when that client acknowledged the message (XEP-0198) and cannot answer itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { bind, connectSecured, login, scramAuth } from '../harness/login.js';
import { barrier, letSeePresence as subscribeToPresence, nextMessage, nextPresence } from '../harness/im.js';
import { announceCaps } from '../harness/caps.js';
import type { XmlClient } from '../harness/xml-client.js';

const SM = 'urn:xmpp:sm:3';
const RECEIPTS = 'urn:xmpp:receipts';
// A fresh client name per login gives a fresh caps ver, so the server always verifies it anew.
let clientCount = 0;
const pc = () => [{ category: 'client', type: 'pc', name: `test-${++clientCount}` }];
let server: ServerProcess;

/**
 * XEP-0184 §8: receipts reveal that a device is online, so Herald emits them only to senders
 * allowed to see the recipient's presence. `recipient` pre-approves and `sender` subscribes.
 */
const letSeePresence = (recipient: string, sender: string) => subscribeToPresence(server.ports.c2s, recipient, sender, 'pw');

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['sender', 'plain', 'capable', 'stranger']) await server.addUser(`${user}@localhost`, 'pw');
  await letSeePresence('plain', 'sender');
  await letSeePresence('capable', 'sender');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** A client with SM enabled and caps announced; `features` decides whether it "does" receipts. */
async function smClientWithCaps(user: string, features: string[]) {
  const { client } = await connectSecured(server.ports.c2s);
  await scramAuth(client, 'SCRAM-SHA-256', user, 'pw');
  const jid = await bind(client, 'localhost', 'r');
  client.send(`<enable xmlns='${SM}'/>`);
  await client.next('enabled');
  const marker = client.received.length;
  await announceCaps(client, pc(), ['http://jabber.org/protocol/disco#info', ...features]);
  await nextPresence(client, jid);
  /** Acknowledges every stanza received since enable. */
  const ackAll = () => {
    const handled = client.received.slice(marker).filter((el) => ['message', 'presence', 'iq'].includes(el.name)).length;
    client.send(`<a xmlns='${SM}' h='${handled}'/>`);
  };
  return { client, jid, ackAll };
}

function requestReceipt(client: XmlClient, to: string, id: string) {
  client.send(`<message to='${to}' type='chat' id='${id}'><body>please confirm</body><request xmlns='${RECEIPTS}'/></message>`);
}

const isReceiptFor = (id: string) => (el: { name: string; getChild(n: string, ns?: string): { attrs: Record<string, string> } | undefined }) =>
  el.name === 'message' && el.getChild('received', RECEIPTS)?.attrs.id === id;

describe('server-emitted receipts', () => {
  it('XEP-0184 §8: a sender who may not see the recipient\'s presence gets no emitted receipt', async () => {
    const stranger = await login(server.ports.c2s, 'stranger', 'pw', 'x');
    const recipient = await smClientWithCaps('plain', []);
    requestReceipt(stranger.client, recipient.jid, 'rq0');
    await nextMessage(recipient.client, (m) => m.attrs.id === 'rq0');
    recipient.ackAll();
    await barrier(recipient.client, stranger.client, stranger.jid);
    expect(stranger.client.inbox.some(isReceiptFor('rq0'))).toBe(false);
    recipient.client.destroy();
    stranger.client.destroy();
  });

  it('XEP-0184: a client without receipt support gets one emitted for it only after it acknowledged the message', async () => {
    const sender = await login(server.ports.c2s, 'sender', 'pw', 's');
    const recipient = await smClientWithCaps('plain', []);
    requestReceipt(sender.client, recipient.jid, 'rq1');
    const got = await nextMessage(recipient.client, (m) => m.attrs.id === 'rq1');
    expect(got.getChild('request', RECEIPTS)).toBeDefined();
    await barrier(recipient.client, sender.client, sender.jid);
    expect(sender.client.inbox.some(isReceiptFor('rq1'))).toBe(false);

    recipient.ackAll();
    const receipt = await sender.client.next(isReceiptFor('rq1'));
    expect(receipt.attrs.from).toBe(recipient.jid);
    expect(receipt.attrs.to).toBe(sender.jid);

    // Never twice: a repeated acknowledgement emits nothing more.
    recipient.ackAll();
    await barrier(recipient.client, sender.client, sender.jid);
    expect(sender.client.inbox.filter(isReceiptFor('rq1'))).toHaveLength(0);
    recipient.client.destroy();
    sender.client.destroy();
  });

  it('XEP-0184: no receipt is emitted for a client that advertises receipts; its own receipt is routed untouched', async () => {
    const sender = await login(server.ports.c2s, 'sender', 'pw', 's2');
    const recipient = await smClientWithCaps('capable', [RECEIPTS]);
    requestReceipt(sender.client, recipient.jid, 'rq2');
    await nextMessage(recipient.client, (m) => m.attrs.id === 'rq2');
    recipient.ackAll();
    await barrier(recipient.client, sender.client, sender.jid);
    expect(sender.client.inbox.some(isReceiptFor('rq2'))).toBe(false);

    recipient.client.send(`<message to='${sender.jid}' id='own-receipt'><received xmlns='${RECEIPTS}' id='rq2'/></message>`);
    const own = await sender.client.next(isReceiptFor('rq2'));
    expect(own.attrs.id).toBe('own-receipt');
    expect(own.attrs.from).toBe(recipient.jid);
    recipient.client.destroy();
    sender.client.destroy();
  });
});
