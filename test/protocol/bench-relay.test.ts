// scripts/bench/tls-relay.mjs, the throughput floor `npm run bench -- --servers relay` compares
// Herald with: `herald bench` must be able to register, log in (SCRAM, whose server signature the
// bench verifies), bind and exchange messages through it, losing none, or the floor means nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../harness/server-process.js';

let dir: string;
let relay: ChildProcess;
let port: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-relay-'));
  expect((await runCli(['cert', 'generate', 'localhost', '--out', dir])).code).toBe(0);
  relay = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/bench/tls-relay.mjs'), path.join(dir, 'localhost.crt'), path.join(dir, 'localhost.key'), 'localhost'], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    relay.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.slice(0, out.indexOf('\n'))) as { port: number }).port);
    });
    relay.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
});

afterAll(() => {
  if (relay?.pid !== undefined && relay.exitCode === null) process.kill(relay.pid, 'SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the bare TLS relay (benchmark floor)', () => {
  it('carries the throughput and latency scenarios of herald bench with nothing lost', async () => {
    const json = path.join(dir, 'bench.jsonl');
    const args = ['bench', '--port', String(port), '--domain', 'localhost', '--server-pid', String(relay.pid), '--json', json, '--label', 'relay'];
    const result = await runCli([...args, '--scenario', 'throughput', '--scenario', 'latency', '--pairs', '2', '--window', '4', '--duration', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = fs.readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { scenario: string; metrics: Record<string, number> });
    expect(lines.map((l) => l.scenario)).toEqual(['throughput', 'latency']);
    for (const { metrics } of lines) {
      expect(metrics).toMatchObject({ lost: 0, errors: 0 });
      expect(metrics.sent).toBeGreaterThan(10);
      expect(metrics.server_cpu_us_per_msg).toBeGreaterThan(0);
    }
  }, 60_000);
});
