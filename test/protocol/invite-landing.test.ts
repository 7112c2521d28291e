// XEP-0401 §6 invitation landing page over real HTTPS: `herald invite create` prints its link,
// the page shows the inviter, the xmpp: link and apps, and its form registers the account with
// the token through the same admission as XEP-0445 (one use, reserved names, introduction).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { getRoster, rosterItems } from '../harness/im.js';
import { httpGet } from '../harness/metrics.js';
import { httpRequest, type HttpAnswer } from '../harness/upload.js';

let server: ServerProcess;

beforeAll(async () => {
  // Open registration off (the default): the invitation is the only way in.
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function createInvite(...args: string[]): Promise<{ uri: string; landingUrl: string; token: string }> {
  const result = await server.cli(['invite', 'create', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { uri: string; landingUrl: string };
  return { ...out, token: decodeURIComponent(/preauth=([^;]+)/.exec(out.uri)![1]!) };
}

const page = (url: string): Promise<HttpAnswer> => httpRequest('GET', url);
const submit = (url: string, fields: Record<string, string>): Promise<HttpAnswer> => {
  const body = Buffer.from(new URLSearchParams(fields).toString());
  return httpRequest('POST', url, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }, body });
};

describe('XEP-0401 §6 invitation landing page', () => {
  it('herald invite create prints the https link on the port the running server bound, next to the xmpp: URI', async () => {
    const { uri, landingUrl, token } = await createInvite('--contact', 'alice@localhost');
    expect(landingUrl).toBe(`https://localhost:${server.listenerPort('https')}/invite/${encodeURIComponent(token)}`);
    const text = await server.cli(['invite', 'create']);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^xmpp:localhost\?register;preauth=/);
    expect(lines[1]).toMatch(new RegExp(`^https://localhost:${server.listenerPort('https')}/invite/[A-Za-z0-9_-]{24}$`));
    expect(uri).toContain(token);
  });

  it('shows the inviter, the xmpp: link and clients, and a registration form; never over plain HTTP', async () => {
    const { uri, landingUrl } = await createInvite('--contact', 'alice@localhost');
    const answer = await page(landingUrl);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const html = answer.body.toString();
    expect(html).toContain('alice@localhost invites you');
    expect(html).toContain(`href="${uri}"`);
    expect(html).toContain('Conversations');
    expect(html).toContain('<form method="post" id="register">');
    const plain = await httpGet(server.listenerPort('http'), new URL(landingUrl).pathname);
    expect(plain.status).toBe(404);
  });

  it('the form creates the account with the token (one use), and inviter and invitee become contacts (XEP-0379)', async () => {
    const { landingUrl } = await createInvite('--contact', 'alice@localhost');
    const mismatch = await submit(landingUrl, { username: 'webby', password: 'pw-one', password2: 'pw-two' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.toString()).toContain('The two passwords differ.');
    const created = await submit(landingUrl, { username: 'webby', password: 'web-pw', password2: 'web-pw' });
    expect(created.status, created.body.toString()).toBe(201);
    expect(created.body.toString()).toContain('Welcome, webby@localhost');
    const webby = await login(server.ports.c2s, 'webby', 'web-pw');
    const items = rosterItems(await getRoster(webby.client));
    expect(items).toContainEqual(expect.objectContaining({ jid: 'alice@localhost', subscription: 'both' }));
    webby.client.destroy();
    // Spent: the page says so, and a second submission makes nothing.
    expect((await page(landingUrl)).status).toBe(410);
    expect((await submit(landingUrl, { username: 'webby2', password: 'x', password2: 'x' })).status).toBe(410);
  });

  it('an invitation for a reserved name registers that name whatever the form says; a taken name keeps the token', async () => {
    await server.addUser('taken@localhost', 'pw');
    const open = await createInvite();
    const taken = await submit(open.landingUrl, { username: 'taken', password: 'pw', password2: 'pw' });
    expect(taken.status).toBe(409);
    expect((await page(open.landingUrl)).status).toBe(200);
    const reserved = await createInvite('--user', 'zoe');
    expect((await page(reserved.landingUrl)).body.toString()).toContain('Your account will be <strong>zoe@localhost</strong>');
    expect((await submit(reserved.landingUrl, { username: 'other', password: 'zoe-pw', password2: 'zoe-pw' })).status).toBe(201);
    (await login(server.ports.c2s, 'zoe', 'zoe-pw')).client.destroy();
  });

  it('a contact-only invitation shows no form and refuses to register; an unknown token is 404', async () => {
    const { landingUrl } = await createInvite('--contact', 'alice@localhost', '--no-register');
    const html = (await page(landingUrl)).body.toString();
    expect(html).toContain('alice@localhost invites you');
    expect(html).not.toContain('<form');
    expect((await submit(landingUrl, { username: 'nope', password: 'pw', password2: 'pw' })).status).toBe(403);
    expect((await page(landingUrl.replace(/invite\/.*/, 'invite/not-a-token'))).status).toBe(404);
  });

  it('XEP-0401 §5.3: the ad-hoc invite command result carries landing-url, which serves the page', async () => {
    const alice = await login(server.ports.c2s, 'alice', 'wonderland');
    alice.client.send("<iq type='set' id='cmd' to='localhost'><command xmlns='http://jabber.org/protocol/commands' node='urn:xmpp:invite#invite' action='execute'/></iq>");
    const reply = await alice.client.next((el) => el.attrs.id === 'cmd');
    const fields = reply.getChild('command')!.getChild('x', 'jabber:x:data')!.getChildren('field');
    const landing = fields.find((f) => f.attrs.var === 'landing-url')?.getChildText('value');
    expect(landing).toMatch(new RegExp(`^https://localhost:${server.listenerPort('https')}/invite/`));
    expect((await page(landing!)).body.toString()).toContain('alice@localhost invites you');
    alice.client.destroy();
  });
});
