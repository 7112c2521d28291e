// Prometheus /metrics (issue 20): scraped over real HTTP from a real server while real clients
// log in, exchange messages, fail to authenticate and leave messages offline; the numbers move.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { connectSecured, login, plainAuth } from '../harness/login.js';
import { nextMessage, nothingBefore } from '../harness/im.js';
import { httpGet, scrape, type Scrape } from '../harness/metrics.js';
import { httpRequest } from '../harness/upload.js';
import type { XmlClient } from '../harness/xml-client.js';
import { WsXmlClient } from '../harness/ws-client.js';
import { freePort, s2sYaml } from '../harness/federation.js';

let server: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob', 'carol']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

async function online(user: string) {
  const session = await login(server.ports.c2s, user, 'pw');
  open.push(session.client);
  return session;
}

/** A ping round trip: everything the client sent before has been routed (and stored) by then. */
const settled = (client: XmlClient) => nothingBefore(client, () => false);

describe('Prometheus /metrics on the plain HTTP listener', () => {
  it('counts client sessions by transport, stanzas by link and kind, and storage calls', async () => {
    const before = await scrape(server);
    expect(before.value('herald_c2s_sessions', { transport: 'tcp' })).toBe(0);
    const sentBefore = before.value('herald_stanzas_received_total', { link: 'c2s', kind: 'message' });
    expect(sentBefore).toBe(0);

    const alice = await online('alice');
    const bob = await online('bob');
    for (let n = 1; n <= 3; n++) alice.client.send(`<message to='${bob.jid}' id='m${n}' type='chat'><body>${n}</body></message>`);
    await nextMessage(bob.client, (el) => el.attrs.id === 'm3');

    const after = await scrape(server);
    expect(after.value('herald_c2s_sessions', { transport: 'tcp' })).toBe(2);
    expect(after.value('herald_stanzas_received_total', { link: 'c2s', kind: 'message' })).toBe(3);
    expect(after.value('herald_stanzas_sent_total', { link: 'c2s', kind: 'message' })).toBeGreaterThanOrEqual(3);
    expect(after.value('herald_stanzas_received_total', { link: 's2s', kind: 'message' })).toBe(0);
    // Logging in read the accounts; every call was timed.
    expect(after.value('herald_storage_duration_seconds_count', { repository: 'users' })).toBeGreaterThan(0);
  });

  it('counts a WebSocket session under transport websocket (RFC 7395)', async () => {
    const ws = await WsXmlClient.connect(`wss://127.0.0.1:${server.listenerPort('https')}/xmpp-websocket`);
    await ws.open();
    await ws.next('stream:features');
    ws.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0carol\0pw').toString('base64')}</auth>`);
    await ws.next('success');
    await ws.open();
    await ws.next('stream:features');
    ws.send("<iq xmlns='jabber:client' type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    await ws.next((e) => e.name === 'iq' && e.attrs.id === 'b1');
    expect((await scrape(server)).value('herald_c2s_sessions', { transport: 'websocket' })).toBe(1);
    ws.terminate();
  });

  it('reports offline queue sizes as messages are stored for an account that is away', async () => {
    const alice = await online('alice');
    for (let n = 1; n <= 2; n++) alice.client.send(`<message to='carol@localhost' id='off${n}' type='chat'><body>later ${n}</body></message>`);
    await settled(alice.client);
    const metrics = await scrape(server);
    expect(metrics.value('herald_offline_messages')).toBe(2);
    expect(metrics.value('herald_offline_accounts')).toBe(1);
    expect(metrics.value('herald_offline_queue_largest')).toBe(2);
    expect(metrics.value('herald_storage_duration_seconds_count', { repository: 'offline' })).toBeGreaterThan(0);
  });

  it('counts failed logins by mechanism and reason', async () => {
    const reason = (m: Scrape) => m.value('herald_auth_failures_total', { mechanism: 'PLAIN', reason: 'not-authorized' }) ?? 0;
    const before = reason(await scrape(server));
    const { client } = await connectSecured(server.ports.c2s);
    open.push(client);
    expect(await plainAuth(client, 'alice', 'wrong')).toEqual({ ok: false, condition: 'not-authorized' });
    expect(reason(await scrape(server))).toBe(before + 1);
  });

  it('includes the process defaults, event-loop lag among them', async () => {
    const metrics = await scrape(server);
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) expect(metrics.names).toContain(name);
    expect(metrics.value('herald_s2s_links', { direction: 'out', state: 'ready' })).toBe(0);
  });

  it('is not served on the HTTPS listener unless modules.metrics.options.onHttps is set', async () => {
    const answer = await httpRequest('GET', `https://127.0.0.1:${server.listenerPort('https')}/metrics`);
    expect(answer.status).toBe(404);
  });

  it('every metric the Grafana dashboard queries exists in a real scrape', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy/grafana/herald-dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\b((?:herald|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    expect(queried.size).toBeGreaterThan(8);
    const metrics = await scrape(server);
    // A histogram or summary is declared once; its series carry _bucket, _sum and _count.
    const declared = (name: string) => metrics.names.has(name) || metrics.names.has(name.replace(/_(bucket|sum|count)$/, ''));
    expect([...queried].filter((name) => !declared(name))).toEqual([]);
  });
});

describe('server-to-server links and their stanzas', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    [a, b] = await Promise.all([
      ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB }) }),
      ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
    ]);
    await Promise.all([a.addUser('anna@a.test', 'pw'), b.addUser('ben@b.test', 'pw')]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    a?.cleanup();
    b?.cleanup();
  });

  it('counts the outgoing link on the sender, the incoming one on the receiver, and the message on both', async () => {
    const anna = await login(a.ports.c2s, 'anna', 'pw', 'r', 'a.test');
    const ben = await login(b.ports.c2s, 'ben', 'pw', 'r', 'b.test');
    open.push(anna.client, ben.client);
    anna.client.send(`<message to='${ben.jid}' id='fed1' type='chat'><body>across</body></message>`);
    await nextMessage(ben.client, (el) => el.attrs.id === 'fed1');
    const [sender, receiver] = [await scrape(a), await scrape(b)];
    expect(sender.value('herald_s2s_links', { direction: 'out', state: 'ready' })).toBe(1);
    expect(sender.value('herald_stanzas_sent_total', { link: 's2s', kind: 'message' })).toBe(1);
    expect(receiver.value('herald_s2s_links', { direction: 'in', state: 'ready' })).toBe(1);
    expect(receiver.value('herald_stanzas_received_total', { link: 's2s', kind: 'message' })).toBe(1);
  });
});

describe('a bearer token guards /metrics', () => {
  let guarded: ServerProcess;
  beforeAll(async () => {
    guarded = await ServerProcess.start({ extraYaml: ['modules:', '  metrics:', '    options: { bearerToken: s3cret-token-for-prometheus }'].join('\n') });
  });
  afterAll(async () => {
    await guarded?.stop();
    guarded?.cleanup();
  });

  it('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    const port = guarded.listenerPort('http');
    expect((await httpGet(port, '/metrics')).status).toBe(401);
    expect((await httpGet(port, '/metrics', { Authorization: 'Bearer s3cret-token-for-prometheuX' })).status).toBe(401);
    const ok = await httpGet(port, '/metrics', { Authorization: 'Bearer s3cret-token-for-prometheus' });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.body).toContain('herald_c2s_sessions');
  });
});
