// The admin socket and the s2s admin commands against two real federating Herald processes
// (a.test and b.test, static routes on 127.0.0.1, self-signed certificates, dialback).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';
import { freePort, REFUSED_PORT, s2sYaml } from '../harness/federation.js';

let a: ServerProcess;
let b: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    ServerProcess.start({ domains: [{ name: 'a.test' }], s2sPort: portA, extraYaml: s2sYaml({ 'b.test': portB, 'closed.test': REFUSED_PORT }) }),
    ServerProcess.start({ domains: [{ name: 'b.test' }], s2sPort: portB, extraYaml: s2sYaml({ 'a.test': portA }) }),
  ]);
  await Promise.all([a.addUser('alice@a.test', 'pw'), b.addUser('bob@b.test', 'pw')]);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  a?.cleanup();
  b?.cleanup();
});

interface Row {
  dir: string;
  local: string;
  remote: string;
  tls: string;
  auth: string;
  state: string;
  in: number;
  out: number;
  queue: number;
}

function rows(output: string): Row[] {
  const table = output.split('\n\nlast errors:')[0]!;
  const lines = table.trim().split('\n');
  expect(lines[0]).toMatch(/^DIR\s+LOCAL\s+REMOTE\s+ADDRESS\s+TLS\s+AUTH\s+STATE\s+AGE\s+IN\s+OUT\s+QUEUE\s+UNACKED$/);
  return lines.slice(1).map((line) => {
    const c = line.split(/\s+/);
    return { dir: c[0]!, local: c[1]!, remote: c[2]!, tls: c[4]!, auth: c[5]!, state: c[6]!, in: Number(c[8]), out: Number(c[9]), queue: Number(c[10]) };
  });
}

describe('admin socket', () => {
  it('is created with mode 0600 in the data folder', () => {
    const socket = path.join(a.dir, 'data', 'admin.sock');
    const stat = fs.statSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('shows no links before any traffic', async () => {
    const result = await a.cli(['s2s', 'status']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('no server-to-server links');
  });
});

describe('herald s2s status', () => {
  it('shows the link on each side with direction, auth method and counters', async () => {
    const alice = await login(a.ports.c2s, 'alice', 'pw', 'r', 'a.test');
    const bob = await login(b.ports.c2s, 'bob', 'pw', 'r', 'b.test');
    open.push(alice.client, bob.client);
    for (let i = 0; i < 3; i++) alice.client.send(`<message to='${bob.jid}' id='s${i}' type='chat'><body>${i}</body></message>`);
    for (let i = 0; i < 3; i++) await nextMessage(bob.client, (el) => el.attrs.id === `s${i}`);

    const onA = await a.cli(['s2s', 'status']);
    expect(onA.code).toBe(0);
    const outA = rows(onA.stdout).filter((r) => r.dir === 'out');
    expect(outA).toHaveLength(1);
    expect(outA[0]).toMatchObject({ local: 'a.test', remote: 'b.test', auth: 'dialback', state: 'ready', out: 3, in: 0, queue: 0 });
    expect(outA[0]!.tls).toMatch(/^TLSv1\.[23]$/);

    const onB = await b.cli(['s2s', 'status']);
    expect(onB.code).toBe(0);
    const inB = rows(onB.stdout).filter((r) => r.dir === 'in' && r.auth === 'dialback');
    expect(inB).toHaveLength(1);
    expect(inB[0]).toMatchObject({ local: 'b.test', remote: 'a.test', state: 'ready', in: 3, out: 0 });
    expect(inB[0]!.tls).toMatch(/^TLSv1\.[23]$/);

    const json = await b.cli(['s2s', 'status', '--json']);
    const parsed = JSON.parse(json.stdout) as { enabled: boolean; links: { direction: string; auth: { domain: string; method: string }[]; remoteAddress: string }[] };
    expect(parsed.enabled).toBe(true);
    const link = parsed.links.find((l) => l.direction === 'in' && l.auth.length > 0)!;
    expect(link.auth).toEqual([{ domain: 'a.test', method: 'dialback' }]);
    expect(link.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('herald s2s status: unreachable peers', () => {
  it('shows a peer whose link failed as failed, with the reason and the next attempt', async () => {
    const alice = await login(a.ports.c2s, 'alice', 'pw', 'unreachable', 'a.test');
    open.push(alice.client);
    alice.client.send(`<iq to='nobody@closed.test' id='dead1' type='get'><query xmlns='jabber:iq:version'/></iq>`);
    const bounced = await alice.client.next((el) => el.attrs.id === 'dead1');
    expect(bounced.attrs.type).toBe('error');

    const result = await a.cli(['s2s', 'status']);
    expect(result.code).toBe(0);
    const failed = rows(result.stdout).filter((r) => r.remote === 'closed.test');
    expect(failed).toEqual([expect.objectContaining({ dir: 'out', local: 'a.test', state: 'failed' })]);
    expect(result.stdout).toMatch(new RegExp(`last errors:\\n  a\\.test -> closed\\.test: .*refused.* \\(next attempt in \\d+s\\)`));

    const json = JSON.parse((await a.cli(['s2s', 'status', '--json'])).stdout) as { links: { remote: string[]; state: string; lastError?: string }[] };
    const link = json.links.find((l) => l.remote[0] === 'closed.test')!;
    expect(link.state).toBe('failed');
    expect(link.lastError).toMatch(/refused/);
  });
});

describe('herald s2s check', () => {
  it('runs every step against b.test from a.test and succeeds', async () => {
    const result = await a.cli(['s2s', 'check', 'b.test']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('checking federation from a.test to b.test');
    expect(out).toMatch(/\[ok {2}\] DNS\s+1 target: 127\.0\.0\.1:\d+/);
    expect(out).toContain('static b.test: 127.0.0.1:');
    expect(out).toMatch(/\[ok {2}\] TCP\s+connected to 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/\[ok {2}\] TLS\s+STARTTLS: TLSv1\.[23]/);
    // Self-signed: not trusted, but dialback still authenticates.
    expect(out).toMatch(/\[warn\] certificate\s+certificate not trusted/);
    expect(out).toContain('names: DNS:b.test');
    expect(out).toMatch(/\[ok {2}\] features\s+SASL EXTERNAL not offered; dialback offered/);
    expect(out).toMatch(/\[ok {2}\] auth\s+dialback: b\.test verified our key for a\.test/);
    expect(out).toContain('result: OK');
  });

  it('fails at TCP with a clear message when the port is closed', async () => {
    const result = await a.cli(['s2s', 'check', 'closed.test']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] TCP\s+cannot connect: connection to 127\.0\.0\.1:\d+ refused/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe(`herald: s2s check closed.test: TCP: cannot connect: connection to 127.0.0.1:${REFUSED_PORT} refused\n`);
  });

  it('reports a refused dialback key in plain words', async () => {
    // A configuration whose secret differs from the running b.test server's: a.test verifies
    // the key with the running server, which did not issue it.
    const config = path.join(b.dir, 'other-secret.yaml');
    fs.writeFileSync(config, fs.readFileSync(b.configFile, 'utf8') + '\n  secret: not-the-secret-of-b-test-at-all\n');
    const result = await b.cli(['--config', config, 's2s', 'check', 'a.test']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] auth\s+dialback: a\.test refused our key for b\.test/);
  });
});

describe('herald s2s status without a server', () => {
  it('gives a one-line error', async () => {
    const c = await ServerProcess.start({ domains: [{ name: 'c.test' }] });
    await c.stop();
    expect(fs.existsSync(path.join(c.dir, 'data', 'admin.sock'))).toBe(false);
    const result = await c.cli(['s2s', 'status']);
    c.cleanup();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^herald: the server is not running \(no admin socket answers at .*admin\.sock\)\n$/);
  });

  it('a stale socket left by a killed server is replaced at the next start', async () => {
    const d = await ServerProcess.start({ domains: [{ name: 'd.test' }] });
    await d.kill();
    expect(fs.existsSync(path.join(d.dir, 'data', 'admin.sock'))).toBe(true);
    const stale = await d.cli(['s2s', 'status']);
    expect(stale.stderr).toMatch(/the server is not running/);
    const again = await d.restart();
    const status = await again.cli(['s2s', 'status']);
    expect(status.stdout).toContain('federation is off');
    await again.stop();
    again.cleanup();
  });
});
