// Invitations (XEP-0401 onboarding, XEP-0445 ibr-token, XEP-0379 pre-authenticated roster
// subscription), made by `herald invite create` and redeemed over real streams.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';
import { connectSecured, login } from '../harness/login.js';
import { getRoster, nextPush, nothingBefore, rosterItems } from '../harness/im.js';

let server: ServerProcess;

beforeAll(async () => {
  // Open registration stays off (the default): invitations are the only way in.
  // Many registrations from one address below: lift XEP-0077's per-address limit.
  server = await ServerProcess.start({
    domains: [{ name: 'localhost' }, { name: 'open.test', registration: true }],
    extraYaml: 'modules:\n  register:\n    options:\n      perAddressPerMinute: 1000\n  invites:\n    options:\n      maxOpenPerUser: 3',
  });
  await server.addUser('alice@localhost', 'wonderland');
  await server.addUser('carol@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function createInvite(...args: string[]): Promise<{ id: string; uri: string; token: string }> {
  const result = await server.cli(['invite', 'create', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { id: string; uri: string };
  const token = decodeURIComponent(/preauth=([^;]+)/.exec(out.uri)![1]!);
  return { ...out, token };
}

let counter = 0;
async function iq(client: XmlClient, payload: string, to = 'localhost'): Promise<import('@xmpp/xml').Element> {
  const id = `i${++counter}`;
  client.send(`<iq type='${payload.startsWith('<query') && !payload.includes('<username>') ? 'get' : 'set'}' id='${id}' to='${to}'>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}
const preauth = (client: XmlClient, token: string, to = 'localhost') => iq(client, `<preauth xmlns='urn:xmpp:pars:0' token='${token}'/>`, to);
const registerAs = (client: XmlClient, username: string, password = 'invited-pw') =>
  iq(client, `<query xmlns='jabber:iq:register'><username>${username}</username><password>${password}</password></query>`);
const condition = (reply: import('@xmpp/xml').Element): string | undefined => reply.getChild('error')?.children.find((c) => typeof c !== 'string' && c.name !== 'text')?.toString().match(/^<([a-z-]+)/)?.[1];

describe('XEP-0445 pre-authenticated in-band registration', () => {
  it('§3: the stream features offer ibr-token (and XEP-0401\'s urn:xmpp:invite) before login', async () => {
    const { client, features } = await connectSecured(server.ports.c2s);
    expect(features.getChild('register', 'urn:xmpp:ibr-token:0')).toBeDefined();
    expect(features.getChild('register', 'urn:xmpp:invite')).toBeDefined();
    // Open registration is off here, so the plain XEP-0077 feature is not offered.
    expect(features.getChild('register', 'http://jabber.org/features/iq-register')).toBeUndefined();
    client.destroy();
  });

  it('§4: a valid token opens registration where it is off; the account logs in; the token is spent', async () => {
    const { uri, token } = await createInvite();
    expect(uri).toMatch(/^xmpp:localhost\?register;preauth=[A-Za-z0-9_-]{24}$/);
    const { client } = await connectSecured(server.ports.c2s);
    // Before the token: XEP-0077 §3.1 service-unavailable.
    expect(condition(await registerAs(client, 'dan'))).toBe('service-unavailable');
    expect((await preauth(client, token)).attrs.type).toBe('result');
    const form = await iq(client, "<query xmlns='jabber:iq:register'/>");
    expect(form.attrs.type).toBe('result');
    expect(form.getChild('query', 'jabber:iq:register')?.getChild('username')).toBeDefined();
    expect((await registerAs(client, 'dan')).attrs.type).toBe('result');
    client.destroy();

    const dan = await login(server.ports.c2s, 'dan', 'invited-pw', 'phone');
    expect(dan.jid).toBe('dan@localhost/phone');
    dan.client.destroy();

    const again = await connectSecured(server.ports.c2s);
    expect(condition(await preauth(again.client, token))).toBe('item-not-found');
    again.client.destroy();
    expect((await server.cli(['invite', 'list'])).stdout).toMatch(/used by dan@localhost/);
  });

  it('§4: an unknown token gets item-not-found with a text, and registration stays closed', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    const reply = await preauth(client, 'not-a-real-token');
    expect(reply.attrs.type).toBe('error');
    expect(condition(reply)).toBe('item-not-found');
    expect(reply.getChild('error')?.getChildText('text')).toMatch(/invalid or expired/);
    expect(condition(await registerAs(client, 'mallory'))).toBe('service-unavailable');
    client.destroy();
  });

  it('§4: a token for another domain is refused there', async () => {
    const { token } = await createInvite('localhost');
    const { client } = await connectSecured(server.ports.c2s, 'open.test');
    expect(condition(await preauth(client, token, 'open.test'))).toBe('item-not-found');
    client.destroy();
  });

  it('§4: an expired token is refused when presented', async () => {
    const { id, token } = await createInvite('--ttl', '1h');
    // Move its expiry into the past in the server's own database (the test cannot wait an hour).
    const db = new Database(path.join(server.dir, 'data', 'herald.sqlite'));
    db.prepare('UPDATE invites SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, id);
    db.close();
    const { client } = await connectSecured(server.ports.c2s);
    expect(condition(await preauth(client, token))).toBe('item-not-found');
    client.destroy();
  });

  it('§4: a failed registration does not spend the token', async () => {
    const { token } = await createInvite();
    const { client } = await connectSecured(server.ports.c2s);
    expect((await preauth(client, token)).attrs.type).toBe('result');
    expect(condition(await registerAs(client, 'alice'))).toBe('conflict'); // taken
    expect((await registerAs(client, 'erin')).attrs.type).toBe('result');
    client.destroy();
  });

  it('§5: a name given to the invitation is reserved: others cannot take it, the token cannot make another', async () => {
    const { token } = await createInvite('open.test', '--user', 'frank');
    const stranger = await connectSecured(server.ports.c2s, 'open.test');
    const taken = await registerAs(stranger.client, 'frank');
    expect(condition(taken)).toBe('conflict');
    expect(taken.getChild('error')?.getChildText('text')).toMatch(/reserved/);
    stranger.client.destroy();

    const { client } = await connectSecured(server.ports.c2s, 'open.test');
    expect((await preauth(client, token, 'open.test')).attrs.type).toBe('result');
    expect(condition(await registerAs(client, 'george'))).toBe('not-acceptable');
    expect((await registerAs(client, 'frank')).attrs.type).toBe('result');
    client.destroy();
  });

  it('a revoked invitation no longer works', async () => {
    const { id, token } = await createInvite();
    expect((await server.cli(['invite', 'revoke', id])).stdout).toContain(`revoked invite ${id}`);
    const { client } = await connectSecured(server.ports.c2s);
    expect(condition(await preauth(client, token))).toBe('item-not-found');
    client.destroy();
  });
});

describe('contact invitations (XEP-0401 with XEP-0379)', () => {
  it('the invitee registers with the link and both end up in each other\'s roster, both ways subscribed, with no prompt', async () => {
    const { uri, token } = await createInvite('--contact', 'alice@localhost');
    expect(uri).toMatch(/^xmpp:alice@localhost\?roster;preauth=[A-Za-z0-9_-]+;ibr=y$/);
    const alice = await login(server.ports.c2s, 'alice', 'wonderland', 'desk');
    await getRoster(alice.client);
    alice.client.send("<presence/>");

    const { client } = await connectSecured(server.ports.c2s);
    expect((await preauth(client, token)).attrs.type).toBe('result');
    expect((await registerAs(client, 'hana')).attrs.type).toBe('result');
    client.destroy();

    // Alice's roster is pushed until Hana is 'both'.
    let item = await nextPush(alice.client, 'hana@localhost');
    while (item.subscription !== 'both') item = await nextPush(alice.client, 'hana@localhost');
    expect(alice.client.inbox.some((el) => el.name === 'presence' && el.attrs.type === 'subscribe')).toBe(false);
    alice.client.destroy();

    const hana = await login(server.ports.c2s, 'hana', 'invited-pw', 'phone');
    expect(rosterItems(await getRoster(hana.client))).toEqual([expect.objectContaining({ jid: 'alice@localhost', subscription: 'both' })]);
    hana.client.destroy();
  });

  it('XEP-0379 §3: an existing account subscribing with the token is approved by the inviter\'s server and asked back', async () => {
    const { token } = await createInvite('--contact', 'alice@localhost', '--no-register');
    const carol = await login(server.ports.c2s, 'carol', 'wonderland', 'pc');
    await getRoster(carol.client);
    carol.client.send('<presence/>');
    carol.client.send(`<presence to='alice@localhost' type='subscribe'><preauth xmlns='urn:xmpp:pars:0' token='${token}'/></presence>`);
    // Approved at once although Alice is offline, and Alice asks back.
    await carol.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribed' && el.attrs.from === 'alice@localhost');
    await carol.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'alice@localhost');
    carol.client.send("<presence to='alice@localhost' type='subscribed'/>");
    let item = await nextPush(carol.client, 'alice@localhost');
    while (item.subscription !== 'both') item = await nextPush(carol.client, 'alice@localhost');
    carol.client.destroy();
    // Single use: the same token now does nothing special (§4.1: treated as a plain request).
    expect((await server.cli(['invite', 'list'])).stdout).toMatch(/contact of alice@localhost\s+used by carol@localhost/);
  });

  it('XEP-0379 §4.1: a request with an unknown token is an ordinary request for the user to answer', async () => {
    await server.addUser('ivan@localhost', 'wonderland');
    const alice = await login(server.ports.c2s, 'alice', 'wonderland', 'tab');
    alice.client.send('<presence/>');
    const ivan = await login(server.ports.c2s, 'ivan', 'wonderland', 'pc');
    // Interested (roster asked) and available, so an approval would reach him.
    await getRoster(ivan.client);
    ivan.client.send('<presence/>');
    ivan.client.send("<presence to='alice@localhost' type='subscribe'><preauth xmlns='urn:xmpp:pars:0' token='bogus'/></presence>");
    await alice.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'ivan@localhost');
    expect(await nothingBefore(ivan.client, (el) => el.name === 'presence' && el.attrs.type === 'subscribed')).toBe(true);
    expect(rosterItems(await getRoster(ivan.client))).toEqual([expect.objectContaining({ jid: 'alice@localhost', subscription: 'none', ask: 'subscribe' })]);
    alice.client.destroy();
    ivan.client.destroy();
  });
});

describe('herald invite (CLI)', () => {
  it('refuses a bad --ttl, an unknown contact and an impossible combination, naming the problem', async () => {
    expect((await server.cli(['invite', 'create', '--ttl', 'soon'])).stderr).toMatch(/--ttl: expected a time like 30m, 12h, 7d or 2w, found 'soon'/);
    expect((await server.cli(['invite', 'create', '--contact', 'nobody@localhost'])).stderr).toMatch(/--contact: no account nobody@localhost/);
    expect((await server.cli(['invite', 'create', '--no-register'])).stderr).toMatch(/--no-register needs --contact/);
    expect((await server.cli(['invite', 'create', '--user', 'alice'])).stderr).toMatch(/account alice@localhost already exists/);
    expect((await server.cli(['invite', 'revoke', 'nope'])).code).not.toBe(0);
  });

  it('--admin makes the invited account an administrator, shown by user list', async () => {
    const { token } = await createInvite('--admin');
    const { client } = await connectSecured(server.ports.c2s);
    expect((await preauth(client, token)).attrs.type).toBe('result');
    expect((await registerAs(client, 'judy')).attrs.type).toBe('result');
    client.destroy();
    const list = (await server.cli(['user', 'list', 'localhost'])).stdout;
    expect(list).toMatch(/^judy@localhost\s+admin$/m);
    expect(list).toMatch(/^alice@localhost$/m);
  });
});

describe('XEP-0401 commands: invitations made from a client (XEP-0050)', () => {
  const command = (node: string, body = '', attrs = "action='execute'") => `<command xmlns='http://jabber.org/protocol/commands' node='${node}' ${attrs}>${body}</command>`;
  const fieldOf = (reply: import('@xmpp/xml').Element, name: string) =>
    reply.getChild('command', 'http://jabber.org/protocol/commands')?.getChild('x', 'jabber:x:data')?.getChildren('field').find((f) => f.attrs.var === name)?.getChildText('value');
  const listed = async (client: XmlClient): Promise<string[]> => {
    const items = await iq(client, "<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>");
    return items.getChild('query')!.getChildren('item').map((i) => i.attrs.node as string);
  };

  it('§3: the domain offers ad-hoc commands; a user sees "invite", only an administrator "create-account"', async () => {
    await server.addUser('lena@localhost', 'wonderland');
    const lena = await login(server.ports.c2s, 'lena', 'wonderland', 'pc');
    const info = await iq(lena.client, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    expect(info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var)).toContain('http://jabber.org/protocol/commands');
    expect(await listed(lena.client)).toEqual(['urn:xmpp:invite#invite']);
    const refused = await iq(lena.client, command('urn:xmpp:invite#create-account'));
    expect(condition(refused)).toBe('item-not-found');
    lena.client.destroy();
  });

  it('§4.1: urn:xmpp:invite#invite returns a contact link at once; redeeming it makes the two contacts', async () => {
    await server.addUser('mia@localhost', 'wonderland');
    const mia = await login(server.ports.c2s, 'mia', 'wonderland', 'phone');
    await getRoster(mia.client);
    const reply = await iq(mia.client, command('urn:xmpp:invite#invite'));
    expect(reply.getChild('command')?.attrs.status).toBe('completed');
    const uri = fieldOf(reply, 'uri')!;
    expect(uri).toMatch(/^xmpp:mia@localhost\?roster;preauth=[A-Za-z0-9_-]+;ibr=y$/);
    expect(Date.parse(fieldOf(reply, 'expire')!)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const token = decodeURIComponent(/preauth=([^;]+)/.exec(uri)![1]!);
    const { client } = await connectSecured(server.ports.c2s);
    expect((await preauth(client, token)).attrs.type).toBe('result');
    expect((await registerAs(client, 'noah')).attrs.type).toBe('result');
    client.destroy();
    let item = await nextPush(mia.client, 'noah@localhost');
    while (item.subscription !== 'both') item = await nextPush(mia.client, 'noah@localhost');
    mia.client.destroy();
  });

  it('a user has at most maxOpenPerUser unused invitations (policy-violation beyond)', async () => {
    await server.addUser('otto@localhost', 'wonderland');
    const otto = await login(server.ports.c2s, 'otto', 'wonderland', 'pc');
    for (let i = 0; i < 3; i++) expect((await iq(otto.client, command('urn:xmpp:invite#invite'))).attrs.type).toBe('result');
    const fourth = await iq(otto.client, command('urn:xmpp:invite#invite'));
    expect(condition(fourth)).toBe('policy-violation');
    expect(fourth.getChild('error')?.getChildText('text')).toMatch(/3 unused invitations/);
    otto.client.destroy();
  });

  it('§5: an administrator gets the form, submits a name, and the link registers exactly that account', async () => {
    const { token } = await createInvite('--admin');
    const setup = await connectSecured(server.ports.c2s);
    expect((await preauth(setup.client, token)).attrs.type).toBe('result');
    expect((await registerAs(setup.client, 'paula')).attrs.type).toBe('result');
    setup.client.destroy();
    const paula = await login(server.ports.c2s, 'paula', 'invited-pw', 'desk');
    await getRoster(paula.client);
    expect(await listed(paula.client)).toEqual(['urn:xmpp:invite#invite', 'urn:xmpp:invite#create-account']);
    const form = await iq(paula.client, command('urn:xmpp:invite#create-account'));
    const cmd = form.getChild('command')!;
    expect(cmd.attrs.status).toBe('executing');
    expect(cmd.getChild('x', 'jabber:x:data')?.getChildren('field').map((f) => f.attrs.var)).toEqual(['username', 'roster-subscription']);
    const submit = `<x xmlns='jabber:x:data' type='submit'><field var='username'><value>quinn</value></field><field var='roster-subscription'><value>1</value></field></x>`;
    const done = await iq(paula.client, command('urn:xmpp:invite#create-account', submit, `sessionid='${cmd.attrs.sessionid}'`));
    expect(done.getChild('command')?.attrs.status).toBe('completed');
    const uri = fieldOf(done, 'uri')!;
    expect(uri).toMatch(/^xmpp:quinn@localhost\?register;preauth=[A-Za-z0-9_-]+$/);
    const { client } = await connectSecured(server.ports.c2s);
    expect((await preauth(client, decodeURIComponent(/preauth=([^;]+)/.exec(uri)![1]!))).attrs.type).toBe('result');
    expect(condition(await registerAs(client, 'someone-else'))).toBe('not-acceptable');
    expect((await registerAs(client, 'quinn')).attrs.type).toBe('result');
    client.destroy();
    let item = await nextPush(paula.client, 'quinn@localhost');
    while (item.subscription !== 'both') item = await nextPush(paula.client, 'quinn@localhost');
    paula.client.destroy();
  });
});
