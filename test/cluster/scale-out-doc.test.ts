// docs/scale-out.md "Running two nodes on one machine" (issue 17): a new user starts Redis,
// PostgreSQL and two nodes with only the commands written there, logs in to each node and chats
// across them. This test runs those commands as written, with three changes a shared test
// machine needs: free ports and a scratch folder instead of the fixed ones, node 1's ports and
// the certificate folder given in the environment, and no `npm install && npm run build` (done).
// As root, initdb, pg_ctl and createdb run as the `postgres` user (PostgreSQL refuses root).
// Everything started is stopped by PID: the nodes, redis-server (its pidfile) and PostgreSQL
// (postmaster.pid).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/server-process.js';
import { freePort } from '../harness/redis.js';
import { postgresBinDir } from '../harness/postgres.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-doc-cluster-'));
fs.chmodSync(scratch, 0o777); // PostgreSQL's programs run as postgres when we are root
const nodes: ChildProcess[] = [];

/** The ```sh blocks of the section, in order. */
function sectionBlocks(): string[] {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'scale-out.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Running two nodes on one machine'));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** As root, PostgreSQL's programs go through wrappers that run them as the postgres user. */
function postgresWrappers(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = path.join(scratch, 'as-postgres');
  fs.mkdirSync(dir);
  for (const program of ['initdb', 'pg_ctl', 'createdb']) {
    const real = path.join(postgresBinDir(), program);
    fs.writeFileSync(path.join(dir, program), `#!/bin/sh\nexec setpriv --reuid=postgres --regid=postgres --init-groups -- ${real} "$@"\n`, { mode: 0o755 });
  }
  return dir;
}

function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** Starts a node's command line (through `exec env`, so the PID is the node's) and waits for "server ready". */
function startNode(line: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn('bash', ['-c', `exec env ${line}`], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  nodes.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (text.includes('"server ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${stderr}`)));
  });
}

function killPidFile(file: string): void {
  if (!fs.existsSync(file)) return;
  const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  if (pid > 0) process.kill(pid, 'SIGTERM');
}

afterAll(async () => {
  await Promise.all(
    nodes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }),
  );
  killPidFile(path.join(scratch, 'redis.pid'));
  killPidFile(path.join(scratch, 'pg', 'postmaster.pid'));
  // PostgreSQL's fast shutdown removes postmaster.pid once it has stopped.
  for (let i = 0; i < 100 && fs.existsSync(path.join(scratch, 'pg', 'postmaster.pid')); i++) await new Promise((r) => setTimeout(r, 100));
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('docs/scale-out.md: two nodes on one machine', () => {
  it('the commands written there start Redis, PostgreSQL and two nodes; alice on node 1 and bob on node 2 chat', async () => {
    const ports: Record<string, number> = {};
    for (const fixed of ['6379', '5432', '5322', '5323', '5380', '5543']) ports[fixed] = await freePort();
    const node1 = { c2s: await freePort(), tls: await freePort(), http: await freePort(), https: await freePort() };
    const adapt = (text: string) =>
      Object.entries(ports).reduce((t, [fixed, free]) => t.replaceAll(fixed, String(free)), text.replaceAll('/tmp/herald-cluster', scratch));
    const [setup, starts, status] = sectionBlocks().map(adapt);
    expect(setup && starts && status).toBeTruthy();

    const wrappers = postgresWrappers();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: wrappers ? `${wrappers}:${process.env.PATH}` : process.env.PATH,
      HERALD_CERTS_DIR: path.join(scratch, 'certs'),
      HERALD_C2S_PORT: String(node1.c2s),
      HERALD_C2S_TLS_PORT: String(node1.tls),
      HERALD_HTTP_PORT: String(node1.http),
      HERALD_HTTPS_PORT: String(node1.https),
    };
    const script = setup!.split('\n').filter((line) => !line.startsWith('npm ')).join('\n');
    const prepared = await runScript(script, env);
    expect(prepared.code, prepared.output).toBe(0);

    const startLines = starts!.split('\n').filter((line) => line.includes(' start'));
    expect(startLines).toHaveLength(2);
    await startNode(startLines[0]!, env);
    await startNode(startLines[1]!, env);

    const statusRun = await runScript(`${status!.trim()} --json`, env);
    expect(statusRun.code, statusRun.output).toBe(0);
    const rows = JSON.parse(statusRun.output.slice(statusRun.output.indexOf('['))) as { nodeId: string; alive: boolean }[];
    expect(rows.map((r) => [r.nodeId, r.alive])).toEqual([['node-1', true], ['node-2', true]]);

    const alice = await login(node1.c2s, 'alice', 'alice-password', 'laptop');
    const bob = await login(ports['5322']!, 'bob', 'bob-password', 'phone');
    alice.client.send(`<message to='${bob.jid}' id='doc-1' type='chat'><body>hi bob, I am on node 1</body></message>`);
    expect((await nextMessage(bob.client, (el) => el.attrs.id === 'doc-1')).attrs.from).toBe(alice.jid);
    bob.client.send(`<message to='${alice.jid}' id='doc-2' type='chat'><body>hi alice, node 2 here</body></message>`);
    expect((await nextMessage(alice.client, (el) => el.attrs.id === 'doc-2')).getChildText('body')).toBe('hi alice, node 2 here');
    alice.client.end();
    bob.client.end();
  }, 120_000);
});
