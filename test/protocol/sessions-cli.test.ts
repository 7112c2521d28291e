// `herald sessions`: the running server's client sessions over its admin socket, with the
// XEP-0388 user agent a SASL2 client logged in with, beside a SASL1 client that sent none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectDirectTls, login } from '../harness/login.js';
import { NS_BIND2, sasl2Offer, sasl2Scram } from '../harness/sasl2.js';
import { NS_SM } from '../harness/stream-management.js';
import type { XmlClient } from '../harness/xml-client.js';

let server: ServerProcess;
const clients: XmlClient[] = [];

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob']) await server.addUser(`${user}@localhost`, 'pw');
  // Alice: SASL2 from 127.0.0.2 with a user agent, Bind 2 enabling SM (as Conversations logs in).
  const { client, features } = await connectDirectTls(server.ports.directTls, { localAddress: '127.0.0.2' });
  clients.push(client);
  const userAgent = "<user-agent id='d4565fa7-4d72-4749-b3d3-740edbf87770'><software>Conversations</software><device>Pixel 7</device></user-agent>";
  const result = await sasl2Scram(
    client,
    { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw', downgradeProtection: sasl2Offer(features) },
    { inline: `${userAgent}<bind xmlns='${NS_BIND2}'><tag>Conversations</tag><enable xmlns='${NS_SM}' resume='true'/></bind>` },
  );
  expect(result.outcome.name).toBe('success');
  // Bob: SASL1 SCRAM and a bind IQ, no user agent, no SM.
  clients.push((await login(server.ports.c2s, 'bob', 'pw', 'laptop')).client);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.stop();
  server?.cleanup();
});

interface Listed {
  jid: string;
  node: string;
  address: string;
  since: string | null;
  sm: boolean;
  mechanism: string | null;
  userAgent: { software: string | null; device: string | null; id: string } | null;
}

async function listed(args: string[] = []): Promise<Listed[]> {
  const result = await server.cli(['sessions', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Listed[];
}

describe('herald sessions', () => {
  it('XEP-0388 §2.2: lists each session with the user agent it logged in with (the id only as a hash), SM and the SASL mechanism', async () => {
    const [alice, bob] = await listed();
    expect(alice).toMatchObject({ address: '127.0.0.2', sm: true, mechanism: 'SCRAM-SHA-256', userAgent: { software: 'Conversations', device: 'Pixel 7' } });
    expect(alice!.jid).toMatch(/^alice@localhost\/Conversations\//);
    expect(alice!.userAgent!.id).not.toContain('d4565fa7');
    expect(alice!.userAgent!.id.length).toBeGreaterThan(10);
    expect(bob).toMatchObject({ jid: 'bob@localhost/laptop', address: '127.0.0.1', sm: false, mechanism: 'SCRAM-SHA-256', userAgent: null });
    for (const session of [alice!, bob!]) {
      expect(session.node).not.toBe('');
      expect(Date.now() - Date.parse(session.since!)).toBeLessThan(120_000);
    }
  }, 30_000);

  it('filters by domain, account or full JID, and names a filter that is not a JID', async () => {
    expect((await listed(['localhost'])).length).toBe(2);
    expect((await listed(['bob@localhost'])).map((s) => s.jid)).toEqual(['bob@localhost/laptop']);
    expect((await listed(['bob@localhost/laptop'])).length).toBe(1);
    expect(await listed(['bob@localhost/phone'])).toEqual([]);
    expect(await listed(['other.example'])).toEqual([]);
    const bad = await server.cli(['sessions', 'a@b@c']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/'a@b@c' is neither a domain nor a JID/);
  }, 90_000);

  it('prints a table a person can read', async () => {
    const result = await server.cli(['sessions']);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^JID\s+NODE\s+ADDRESS\s+SINCE\s+SM\s+MECHANISM\s+CLIENT\s+DEVICE\s+CLIENT ID$/);
    expect(rows.find((r) => r.startsWith('alice@'))).toMatch(/127\.0\.0\.2 .* on\s+SCRAM-SHA-256\s+Conversations\s+Pixel 7 /);
    expect(rows.find((r) => r.startsWith('bob@'))).toMatch(/off\s+SCRAM-SHA-256\s+-\s+-\s+-$/);
  }, 30_000);
});
