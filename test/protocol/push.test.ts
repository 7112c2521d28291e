// XEP-0357 push notifications over real sockets and real federation: users on a.test register an
// app server that is a client of b.test (app@b.test/server), and a.test publishes to it over s2s
// when a message is stored offline or reaches a session waiting to be resumed (XEP-0198).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { freePort, s2sYaml } from '../harness/federation.js';
import { enableSm } from '../harness/stream-management.js';
import type { XmlClient } from '../harness/xml-client.js';

const PUSH = 'urn:xmpp:push:0';
const PUBSUB = 'http://jabber.org/protocol/pubsub';
const APP = 'app@b.test/server';
const SECRET_A = 'push-test-secret-0123456789';
const OPTIONS_FORM = `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/pubsub#publish-options</value></field><field var='secret'><value>eruio234vzxc2kla-91</value></field></x>`;

let a: ServerProcess;
let b: ServerProcess;
let app: XmlClient;
let bob: { client: XmlClient; jid: string };
const open: XmlClient[] = [];

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  const pushOptions = ['modules:', '  push:', '    options:', '      minIntervalSeconds: 1'].join('\n');
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: `${s2sYaml({ 'b.test': portB }, `  secret: ${SECRET_A}`)}\n${pushOptions}` }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];
  await Promise.all([...users.map((user) => a.addUser(`${user}@a.test`, 'pw')), b.addUser('app@b.test', 'pw')]);
  app = (await login(b.ports.c2s, 'app', 'pw', 'server', 'b.test')).client;
  bob = await login(a.ports.c2s, 'bob', 'pw', 'desk', 'a.test');
  open.push(app, bob.client);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

async function iq(client: XmlClient, payload: string): Promise<Element> {
  const id = `iq-${Math.random().toString(36).slice(2)}`;
  client.send(`<iq type='set' id='${id}'>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

/** Logs `user` in, registers the app server with node `node`, and leaves (the session ends). */
async function registerAndLeave(user: string, node: string): Promise<void> {
  const { client } = await login(a.ports.c2s, user, 'pw', 'phone', 'a.test');
  const answer = await iq(client, `<enable xmlns='${PUSH}' jid='${APP}' node='${node}'>${OPTIONS_FORM}</enable>`);
  expect(answer.attrs.type).toBe('result');
  // A message arriving while the session still ends is re-homed to offline storage all the same.
  client.send('</stream:stream>');
  await client.closed();
}

const nextPublish = (): Promise<Element> => app.next((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('pubsub', PUBSUB) !== undefined, 10_000);

function fieldsOf(publish: Element): Record<string, string | undefined> {
  const form = publish.getChild('pubsub', PUBSUB)!.getChild('publish')!.getChild('item')!.getChild('notification', PUSH)!.getChild('x', 'jabber:x:data')!;
  return Object.fromEntries(form.getChildren('field').map((field) => [field.attrs.var, field.getChildText('value') ?? undefined]));
}

const say = (to: string, id: string, body = 'hello') => bob.client.send(`<message to='${to}' type='chat' id='${id}'><body>${body}</body></message>`);

describe('XEP-0357 push notifications', () => {
  it('XEP-0357 §4: the account advertises urn:xmpp:push:0', async () => {
    const { client } = await login(a.ports.c2s, 'alice', 'pw', 'disco', 'a.test');
    open.push(client);
    client.send(`<iq type='get' id='d1' to='alice@a.test'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    const info = await client.next((el) => el.attrs.id === 'd1');
    expect(info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var)).toContain(PUSH);
  });

  it('XEP-0357 §5: enable without a node is a bad-request that says so', async () => {
    const { client } = await login(a.ports.c2s, 'alice', 'pw', 'bad', 'a.test');
    open.push(client);
    const answer = await iq(client, `<enable xmlns='${PUSH}' jid='${APP}'/>`);
    expect(answer.attrs.type).toBe('error');
    expect(answer.getChild('error')!.getChild('bad-request')).toBeDefined();
    expect(answer.getChild('error')!.getChildText('text')).toMatch(/node/);
  });

  it('XEP-0357 §7: a message stored offline is published to the app server over s2s, with publish-options and no body', async () => {
    await registerAndLeave('alice', 'node-alice');
    say('alice@a.test', 'off1', 'secret words');
    const publish = await nextPublish();
    expect(publish.attrs.from).toBe('alice@a.test');
    expect(publish.getChild('pubsub', PUBSUB)!.getChild('publish')!.attrs.node).toBe('node-alice');
    const fields = fieldsOf(publish);
    expect(fields.FORM_TYPE).toBe('urn:xmpp:push:summary');
    expect(fields['message-count']).toBe('1');
    expect(fields['last-message-sender']).toBe(bob.jid);
    expect(fields['last-message-body']).toBeUndefined(); // includeBody defaults to false
    const options = publish.getChild('pubsub', PUBSUB)!.getChild('publish-options')!.getChild('x', 'jabber:x:data')!;
    expect(options.getChildren('field').find((f) => f.attrs.var === 'secret')?.getChildText('value')).toBe('eruio234vzxc2kla-91');
    app.send(`<iq type='result' id='${publish.attrs.id}' to='${publish.attrs.from}'/>`);
  });

  it('XEP-0357 §7: no notification for a user without push, nor after disable', async () => {
    // carol never enabled push; dave enables and disables again; gina stays enabled (the marker).
    const { client: dave } = await login(a.ports.c2s, 'dave', 'pw', 'phone', 'a.test');
    expect((await iq(dave, `<enable xmlns='${PUSH}' jid='${APP}' node='node-dave'/>`)).attrs.type).toBe('result');
    expect((await iq(dave, `<disable xmlns='${PUSH}' jid='${APP}'/>`)).attrs.type).toBe('result');
    dave.destroy();
    await registerAndLeave('gina', 'node-gina');
    say('carol@a.test', 'none1');
    say('dave@a.test', 'none2');
    say('gina@a.test', 'marker');
    const publish = await nextPublish();
    expect(publish.attrs.from).toBe('gina@a.test');
    app.send(`<iq type='result' id='${publish.attrs.id}' to='${publish.attrs.from}'/>`);
  });

  it('XEP-0357 §7: a message for a hibernated session (XEP-0198, connection lost) is published too', async () => {
    const { client, jid } = await login(a.ports.c2s, 'erin', 'pw', 'phone', 'a.test');
    await enableSm(client, true);
    expect((await iq(client, `<enable xmlns='${PUSH}' jid='${APP}' node='node-erin'/>`)).attrs.type).toBe('result');
    client.send('<presence/>');
    await client.next((el) => el.name === 'presence');
    client.destroy();
    await a.waitForLog((line) => line.msg === 'connection lost; session kept for resumption');
    say(jid, 'hib1');
    const publish = await nextPublish();
    expect(publish.attrs.from).toBe('erin@a.test');
    expect(fieldsOf(publish)['message-count']).toBe('1');
    app.send(`<iq type='result' id='${publish.attrs.id}' to='${publish.attrs.from}'/>`);
  });

  it('XEP-0357 §7.1: an error from the app server disables that registration', async () => {
    await registerAndLeave('frank', 'node-frank');
    say('frank@a.test', 'err1');
    const publish = await nextPublish();
    expect(publish.attrs.from).toBe('frank@a.test');
    app.send(`<iq type='error' id='${publish.attrs.id}' to='${publish.attrs.from}'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    await a.waitForLog((line) => line.msg === 'push: the app server refused a notification; registration disabled' && line.account === 'frank@a.test');
    // Past the rate-limit window (1 s here), frank's next message would be due a notification if
    // the registration had stayed; gina's is the marker that the others were routed.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    say('frank@a.test', 'err2');
    say('gina@a.test', 'marker2');
    const next = await nextPublish();
    expect(next.attrs.from).toBe('gina@a.test');
    app.send(`<iq type='result' id='${next.attrs.id}' to='${next.attrs.from}'/>`);
  });
});
