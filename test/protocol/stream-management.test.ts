// XEP-0198 stream management over real sockets: acks, resumption, and what happens to
// unacknowledged messages when a connection dies (offline storage, exactly once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { bind, connectSecured, scramAuth } from '../harness/login.js';
import { nextMessage, nextPresence } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const SM = 'urn:xmpp:sm:3';
let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: 'limits:\n  resumeTimeoutSeconds: 2' });
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** Logs in with SCRAM, binds, sends initial presence and enables SM; returns the resumption id. */
async function smLogin(user: string, resource: string, resume: boolean) {
  const { client } = await connectSecured(server.ports.c2s);
  const auth = await scramAuth(client, 'SCRAM-SHA-256', user, 'pw');
  if (!auth.ok) throw new Error(auth.condition);
  const jid = await bind(client, 'localhost', resource);
  client.send(`<enable xmlns='${SM}'${resume ? " resume='true'" : ''}/>`);
  const enabled = await client.next('enabled');
  client.send('<presence/>');
  await nextPresence(client, jid);
  return { client, jid, enabled };
}

async function plainLogin(user: string, resource: string) {
  const { client } = await connectSecured(server.ports.c2s);
  await scramAuth(client, 'SCRAM-SHA-256', user, 'pw');
  const jid = await bind(client, 'localhost', resource);
  return { client, jid };
}

function send(client: XmlClient, to: string, ids: string[]) {
  client.send(ids.map((id) => `<message to='${to}' type='chat' id='${id}'><body>${id}</body></message>`).join(''));
}

async function bodies(client: XmlClient, count: number): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < count; i++) got.push((await nextMessage(client, (m) => m.getChild('body') !== undefined)).getChildText('body')!);
  return got;
}

describe('acknowledgements (XEP-0198 §4)', () => {
  it('XEP-0198 §3: enable without resumption has no id; with it, an id and max', async () => {
    const plain = await smLogin('alice', 'plain', false);
    expect(plain.enabled.attrs.id).toBeUndefined();
    const resumable = await smLogin('alice', 'resumable', true);
    expect(resumable.enabled.attrs.resume).toBe('true');
    expect(resumable.enabled.attrs.id).toMatch(/.{16,}/);
    expect(Number(resumable.enabled.attrs.max)).toBe(2);
    plain.client.destroy();
    resumable.client.destroy();
  });

  it('XEP-0198 §4: <r/> is answered with the number of stanzas handled since enable', async () => {
    const { client } = await smLogin('bob', 'counter', false);
    // Handled so far: the initial presence. Then three pings.
    for (let i = 0; i < 3; i++) client.send(`<iq type='get' id='p${i}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    client.send(`<r xmlns='${SM}'/>`);
    expect((await client.next('a')).attrs.h).toBe('4');
    client.destroy();
  });

  it('XEP-0198 §4: the server requests acks and counts what it sent', async () => {
    const receiver = await smLogin('carol', 'acker', false);
    const sender = await plainLogin('dave', 'sender');
    send(sender.client, receiver.jid, ['x1', 'x2', 'x3']);
    await bodies(receiver.client, 3);
    const request = await receiver.client.next('r');
    expect(request.attrs.xmlns).toBe(SM);
    // Acknowledging more than was sent (own presence + 3 messages = 4) is a stream error.
    receiver.client.send(`<a xmlns='${SM}' h='9'/>`);
    expect(await receiver.client.streamError()).toBe('undefined-condition');
    sender.client.destroy();
  });
});

describe('resumption (XEP-0198 §5)', () => {
  it('XEP-0198 §5: resuming replays exactly the unacknowledged stanzas, then new ones flow', async () => {
    const erin = await smLogin('erin', 'phone', true);
    const sender = await plainLogin('dave', 'resume-sender');
    send(sender.client, erin.jid, ['r1', 'r2', 'r3', 'r4']);
    expect(await bodies(erin.client, 4)).toEqual(['r1', 'r2', 'r3', 'r4']);
    // Stanzas so far: own presence (1), r1..r4 (2..5). Acknowledge up to r1 only.
    erin.client.send(`<a xmlns='${SM}' h='2'/>`);
    erin.client.destroy();
    send(sender.client, erin.jid, ['r5']);

    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'erin', 'pw');
    await client.open();
    await client.next('stream:features');
    client.send(`<resume xmlns='${SM}' previd='${erin.enabled.attrs.id}' h='2'/>`);
    const resumed = await client.next('resumed');
    expect(resumed.attrs.previd).toBe(erin.enabled.attrs.id);
    expect(await bodies(client, 4)).toEqual(['r2', 'r3', 'r4', 'r5']);
    send(sender.client, erin.jid, ['r6']);
    expect(await bodies(client, 1)).toEqual(['r6']);
    client.destroy();
    sender.client.destroy();
  });

  it('XEP-0198 §5: an unknown resumption id gets <failed/> with item-not-found', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'erin', 'pw');
    await client.open();
    await client.next('stream:features');
    client.send(`<resume xmlns='${SM}' previd='no-such-session' h='0'/>`);
    const failed = await client.next('failed');
    expect(failed.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    client.destroy();
  });
});

describe('unacknowledged messages are never lost (XEP-0198 + XEP-0160)', () => {
  it('a killed connection without resumption: its unacknowledged messages arrive at the next login, exactly once', async () => {
    const alice = await smLogin('alice', 'flaky', false);
    const sender = await plainLogin('bob', 'k-sender');
    send(sender.client, alice.jid, ['k1', 'k2', 'k3']);
    await bodies(alice.client, 3);
    alice.client.destroy();
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === alice.jid);

    const again = await plainLogin('alice', 'flaky2');
    again.client.send('<presence/>');
    const delivered = await bodies(again.client, 3);
    expect(delivered).toEqual(['k1', 'k2', 'k3']);
    again.client.destroy();
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === again.jid);

    const third = await plainLogin('alice', 'flaky3');
    third.client.send('<presence/>');
    await nextPresence(third.client, third.jid);
    third.client.send(`<message to='${third.jid}' id='marker'><body>marker</body></message>`);
    expect((await nextMessage(third.client, (m) => m.getChild('body') !== undefined)).getChildText('body')).toBe('marker');
    third.client.destroy();
    sender.client.destroy();
  });

  it('XEP-0198 §5: after the resumption timeout, resume fails and the messages come from offline storage', async () => {
    const carol = await smLogin('carol', 'sleepy', true);
    const sender = await plainLogin('dave', 't-sender');
    send(sender.client, carol.jid, ['t1', 't2']);
    await bodies(carol.client, 2);
    carol.client.destroy();
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === carol.jid && l.reason === 'resumption timed out');

    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'carol', 'pw');
    await client.open();
    await client.next('stream:features');
    client.send(`<resume xmlns='${SM}' previd='${carol.enabled.attrs.id}' h='1'/>`);
    const failed = await client.next('failed');
    expect(failed.getChild('item-not-found')).toBeDefined();
    // The expired session had handled one stanza from carol: her initial presence.
    expect(failed.attrs.h).toBe('1');
    client.send("<iq type='set' id='b2'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    await client.next((el) => el.attrs.id === 'b2');
    client.send('<presence/>');
    const offline = await Promise.all([nextMessage(client, (m) => m.getChildText('body') === 't1'), nextMessage(client, (m) => m.getChildText('body') === 't2')]);
    for (const message of offline) expect(message.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
    client.destroy();
    sender.client.destroy();
  });
});
