// The admin web console over real HTTP (issue 20): login with an administrator's XMPP
// credentials, the session cookie's attributes, CSRF and Origin checks, and each action seen
// from XMPP clients (the account made logs in, a kicked session gets its stream error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectSecured, login, plainAuth } from '../harness/login.js';
import { httpCall, type PlainAnswer } from '../harness/http-plain.js';
import { httpRequest } from '../harness/upload.js';

let server: ServerProcess;
let port: number;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('root@localhost', 'admin-pw');
  await server.addUser('plain@localhost', 'user-pw');
  const role = await server.cli(['user', 'role', 'root@localhost', 'admin']);
  expect(role.code, role.stderr).toBe(0);
  port = server.listenerPort('http');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const postLogin = (jid: string, password: string) => httpCall(port, 'POST', '/admin/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, form({ jid, password }));

async function logIn(): Promise<{ cookie: string; csrf: string }> {
  const answer = await postLogin('root@localhost', 'admin-pw');
  expect(answer.status).toBe(303);
  const cookie = String(answer.headers['set-cookie']![0]).split(';')[0]!;
  const page = await httpCall(port, 'GET', '/admin/', { Cookie: cookie });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
  return { cookie, csrf };
}

async function act(session: { cookie: string; csrf: string }, action: string, body: unknown, headers: Record<string, string> = {}): Promise<PlainAnswer & { json: Record<string, unknown> }> {
  const answer = await httpCall(port, 'POST', `/admin/api/${action}`, { Cookie: session.cookie, 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf, ...headers }, JSON.stringify(body));
  return { ...answer, json: JSON.parse(answer.body) as Record<string, unknown> };
}

describe('admin console: authentication', () => {
  it('shows the login form; refuses a wrong password and a non-admin account; logs the failure for fail2ban', async () => {
    expect((await httpCall(port, 'GET', '/admin/')).body).toContain('<form method="post" action="/admin/login" id="login">');
    expect((await postLogin('root@localhost', 'wrong')).status).toBe(403);
    expect((await postLogin('plain@localhost', 'user-pw')).status).toBe(403);
    await server.waitForLog((l) => l.event === 'auth-failed' && l.mechanism === 'console' && l.account === 'plain@localhost');
  });

  it('an administrator gets an HttpOnly, Secure, SameSite=Strict session cookie; without it the API answers 401', async () => {
    const answer = await postLogin('root@localhost', 'admin-pw');
    const cookie = String(answer.headers['set-cookie']![0]);
    expect(cookie).toMatch(/^herald_console=[A-Za-z0-9_-]{43}; Path=\/admin\/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600$/);
    expect((await httpCall(port, 'GET', '/admin/api/state')).status).toBe(401);
    expect((await httpCall(port, 'GET', '/admin/api/state', { Cookie: 'herald_console=forged' })).status).toBe(401);
  });

  it('changes need the CSRF token and a same-site Origin', async () => {
    const session = await logIn();
    expect((await act({ ...session, csrf: 'wrong' }, 'user-add', { jid: 'x@localhost', password: 'pw' })).status).toBe(403);
    expect((await act(session, 'user-add', { jid: 'x@localhost', password: 'pw' }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await act(session, 'user-add', { jid: 'x@localhost', password: 'pw' }, { 'X-CSRF-Token': '' })).status).toBe(403);
    expect((await connectAndAuth('x', 'pw'))).toEqual({ ok: false, condition: 'not-authorized' });
  });

  it('is not served on the HTTPS listener by default', async () => {
    expect((await httpRequest('GET', `https://127.0.0.1:${server.listenerPort('https')}/admin/`)).status).toBe(404);
  });

  it('logging out ends the session', async () => {
    const session = await logIn();
    const out = await httpCall(port, 'POST', '/admin/logout', { Cookie: session.cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, form({ csrf: session.csrf }));
    expect(out.status).toBe(303);
    expect((await httpCall(port, 'GET', '/admin/api/state', { Cookie: session.cookie })).status).toBe(401);
  });
});

async function connectAndAuth(user: string, password: string) {
  const { client } = await connectSecured(server.ports.c2s);
  const result = await plainAuth(client, user, password);
  client.destroy();
  return result;
}

describe('admin console: actions', () => {
  it('adds a user who can then log in, resets the password, and deletes only with the account typed again', async () => {
    const session = await logIn();
    expect((await act(session, 'user-add', { jid: 'dora@localhost', password: 'first' })).json).toEqual({ created: 'dora@localhost' });
    expect((await act(session, 'user-add', { jid: 'dora@localhost', password: 'again' })).status).toBe(400);
    expect(await connectAndAuth('dora', 'first')).toEqual({ ok: true });
    expect((await act(session, 'user-password', { jid: 'dora@localhost', password: 'second' })).status).toBe(200);
    expect(await connectAndAuth('dora', 'first')).toEqual({ ok: false, condition: 'not-authorized' });
    expect(await connectAndAuth('dora', 'second')).toEqual({ ok: true });
    const unconfirmed = await act(session, 'user-delete', { jid: 'dora@localhost' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.error).toBe('type dora@localhost again to confirm the deletion');
    expect((await act(session, 'user-delete', { jid: 'dora@localhost', confirm: 'dora@localhost' })).status).toBe(200);
    expect(await connectAndAuth('dora', 'second')).toEqual({ ok: false, condition: 'not-authorized' });
  });

  it('lists online sessions with their address, and kicking one ends it with a stream error', async () => {
    const session = await logIn();
    const plain = await login(server.ports.c2s, 'plain', 'user-pw', 'laptop');
    const state = JSON.parse((await httpCall(port, 'GET', '/admin/api/state', { Cookie: session.cookie })).body) as { sessions: Array<{ jid: string; address: string }>; users: Array<{ jid: string }> };
    expect(state.sessions).toContainEqual(expect.objectContaining({ jid: 'plain@localhost/laptop', address: '127.0.0.1' }));
    expect(state.users.map((u) => u.jid)).toContain('plain@localhost');
    expect((await act(session, 'session-kick', { jid: 'plain@localhost/laptop' })).json).toEqual({ ended: 1 });
    const error = await plain.client.next('stream:error');
    expect(error.getChild('policy-violation')).toBeDefined();
    expect((await act(session, 'session-kick', { jid: 'nobody@localhost/x' })).json.error).toBe('no session of nobody@localhost/x');
  });

  it('creates invitations with their links, lists and revokes them', async () => {
    const session = await logIn();
    const created = await act(session, 'invite-create', { contact: 'root@localhost', ttl: '1d' });
    expect(created.json.uri).toMatch(/^xmpp:root@localhost\?roster;preauth=/);
    expect(created.json.landingUrl).toMatch(new RegExp(`^https://localhost:${server.listenerPort('https')}/invite/`));
    expect((await act(session, 'invite-create', { ttl: 'soon' })).json.error).toMatch(/--ttl: expected a time like/);
    const state = JSON.parse((await httpCall(port, 'GET', '/admin/api/state', { Cookie: session.cookie })).body) as { invites: Array<{ id: string; usable: boolean; tokenHash?: string }> };
    const listed = state.invites.find((i) => i.id === created.json.id);
    expect(listed).toMatchObject({ usable: true });
    expect(listed!.tokenHash).toBeUndefined();
    expect((await act(session, 'invite-revoke', { id: created.json.id })).status).toBe(200);
    expect((await httpRequest('GET', created.json.landingUrl as string)).status).toBe(404);
  });

  it('shows offline queues, certificates and s2s links', async () => {
    const session = await logIn();
    const root = await login(server.ports.c2s, 'root', 'admin-pw');
    root.client.send("<message to='plain@localhost' type='chat' id='q1'><body>while you were out</body></message>");
    root.client.send("<iq type='get' id='ping' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
    await root.client.next((el) => el.attrs.id === 'ping');
    const state = JSON.parse((await httpCall(port, 'GET', '/admin/api/state', { Cookie: session.cookie })).body) as Record<string, unknown>;
    expect(state.offline).toEqual({ accounts: 1, messages: 1, largest: [{ account: 'plain@localhost', count: 1 }] });
    expect(state.certificates).toEqual([expect.objectContaining({ domain: 'localhost', names: ['localhost'], selfSigned: true, sha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) })]);
    expect(state.s2s).toEqual([]);
    root.client.destroy();
  });

  it("shows this node's newest log lines (a live tail: each refresh reads them again)", async () => {
    const session = await logIn();
    const state = async () => JSON.parse((await httpCall(port, 'GET', '/admin/api/state', { Cookie: session.cookie })).body) as { log: string[] };
    const before = (await state()).log;
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((line) => typeof (JSON.parse(line) as { msg?: unknown }).msg === 'string')).toBe(true);
    // A failed login is logged (at info, with the account): it appears in the next state.
    expect((await postLogin('plain@localhost', 'not-the-password')).status).toBe(403);
    await server.waitForLog((l) => l.event === 'auth-failed' && l.mechanism === 'console' && l.reason !== undefined && l.account === 'plain@localhost');
    const failures = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.event === 'auth-failed' && l.account === 'plain@localhost').length;
    const after = (await state()).log;
    expect(failures(after)).toBe(failures(before) + 1);
    expect(JSON.stringify(after)).not.toContain('not-the-password');
  });
});
