// `herald bench` against a real Herald process: every scenario, tiny sizes, must lose nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ServerProcess, runCli } from '../harness/server-process.js';

interface Line {
  scenario: string;
  server?: string;
  params?: Record<string, number | string>;
  metrics: Record<string, number | null>;
}

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({
    domains: [{ name: 'localhost', registration: true }],
    extraYaml: ['limits:', '  bytesPerSecond: 100000000', 'modules:', '  register:', '    options:', '      perAddressPerMinute: 100000'].join('\n'),
  });
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function bench(args: string[]): Promise<Line[]> {
  const json = path.join(server.dir, `bench-${Math.random().toString(36).slice(2)}.jsonl`);
  const base = ['bench', '--port', String(server.ports.c2s), '--domain', 'localhost', '--server-pid', String(server.child.pid), '--json', json, '--label', 'herald'];
  const result = await runCli([...base, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return fs.readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
}

describe('herald bench (smoke)', () => {
  it('runs every scenario with no loss and no errors', async () => {
    const lines = await bench(['--clients', '5', '--pairs', '2', '--window', '4', '--duration', '1', '--rate', '100', '--warmup', '1', '--messages', '30', '--contacts', '4', '--rounds', '2']);
    expect(lines.map((l) => l.scenario)).toEqual(['login', 'throughput', 'latency', 'offline', 'fanout', 'fixed-rate', 'pep', 'login-sasl2', 'login-fast', 'login-fast-resumed', 'tls-only', 'login-fast-sm-resume', 'tls-resumed-only']);
    for (const line of lines) {
      expect(line.server).toBe('herald');
      expect(line.metrics.errors).toBe(0);
      if ('lost' in line.metrics) expect(line.metrics.lost).toBe(0);
    }
    const [login, throughput, latency, offline, fanout, fixed, pep] = lines as [Line, Line, Line, Line, Line, Line, Line];
    // PEP: ran (no errors, nothing lost, checked above) and reported its rates.
    expect(Object.keys(pep.metrics)).toEqual(expect.arrayContaining(['publish_per_s', 'fetch_per_s']));
    expect(login.metrics.logins_per_s).toBeGreaterThan(1);
    expect(login.metrics.server_cpu_ms_per_login).toBeGreaterThan(0);
    expect(throughput.metrics.msgs_per_s).toBeGreaterThan(10);
    expect(throughput.metrics.latency_p99_ms).toBeGreaterThanOrEqual(throughput.metrics.latency_p50_ms!);
    expect(throughput.metrics.server_cpu_pct).toBeGreaterThan(0);
    expect(latency.metrics.sent).toBeGreaterThan(10);
    expect(offline.metrics.store_per_s).toBeGreaterThan(1);
    expect(fanout.metrics.presence_per_s).toBeGreaterThan(1);
    // 100 msg/s offered for 1 s of warm-up and 1 s measured: roughly 200 sent, none left behind,
    // and the rate counts only the measured second (it would read ~200/s with the warm-up in).
    expect(fixed.metrics.sent).toBeGreaterThan(100);
    expect(fixed.metrics.sent).toBeLessThanOrEqual(220);
    expect(fixed.metrics.msgs_per_s).toBeGreaterThan(50);
    expect(fixed.metrics.msgs_per_s).toBeLessThan(150);
    // SASL2 SCRAM, FAST (full and resumed TLS) and the TLS-only floor: all 5 logged in, CPU read.
    for (const line of lines.slice(7)) {
      expect(line.metrics.logins_per_s).toBeGreaterThan(1);
      expect(line.metrics.server_cpu_ms_per_login).toBeGreaterThan(0);
    }
  }, 90_000);

  it('fixed-rate --sm: clients enable XEP-0198 and answer every <r/>; nothing is lost', async () => {
    const [line] = await bench(['--scenario', 'fixed-rate', '--pairs', '2', '--rate', '100', '--duration', '1', '--warmup', '0', '--sm']);
    expect(line!.params).toMatchObject({ sm: 1 });
    expect(line!.metrics).toMatchObject({ lost: 0, errors: 0 });
    // Herald asks for an acknowledgement after a few stanzas or a short while: the receivers were asked.
    expect(line!.metrics.ack_requests_per_msg).toBeGreaterThan(0);
  }, 30_000);

  it('splits the pairs over worker threads', async () => {
    const [line] = await bench(['--scenario', 'throughput', '--pairs', '2', '--window', '2', '--duration', '1', '--workers', '2']);
    expect(line!.metrics).toMatchObject({ lost: 0, errors: 0 });
    expect(line!.metrics.sent).toBeGreaterThan(10);
  }, 30_000);

  it('creates its users with --provision TEMPLATE (here: herald user add), then logs them in', async () => {
    const template = `printf %s {password} | '${process.execPath}' '${CLI}' --config '${server.configFile}' user add {user}@{domain} --password-stdin`;
    const users = async () => (await server.cli(['user', 'list', 'localhost'])).stdout.trim().split('\n').length;
    const before = await users();
    const [line] = await bench(['--scenario', 'login', '--clients', '3', '--provision', template]);
    expect(line!.metrics).toMatchObject({ errors: 0 });
    expect(line!.metrics.logins_per_s).toBeGreaterThan(0);
    expect(await users()).toBe(before + 3);
  }, 60_000);

  it('scale: holds idle sessions with stream management on (from worker threads), then the active pairs and the fan-out, losing nothing', async () => {
    const small = ['--scenario', 'scale', '--clients', '6', '--workers', '2', '--pairs', '2', '--rate', '50', '--duration', '1', '--contacts', '3', '--rounds', '2', '--idle', '0'];
    const runId = `sm${Date.now().toString(36)}`;
    const [registered] = await bench([...small, '--scale-phase', 'register', '--run-id', runId]);
    expect(registered!.scenario).toBe('scale-register');
    expect(registered!.metrics.errors).toBe(0);
    const [line] = await bench([...small, '--scale-phase', 'measure', '--run-id', runId]);
    expect(line!.scenario).toBe('scale');
    expect(line!.metrics).toMatchObject({ sessions: 6, errors: 0, active_lost: 0, active_errors: 0, fanout_lost: 0, fanout_errors: 0 });
    expect(line!.metrics.kib_per_session).toBeTypeOf('number');
    expect(line!.metrics.idle_cpu_pct).toBeGreaterThanOrEqual(0);
    expect(line!.metrics.fanout_server_cpu_ms_per_round).toBeGreaterThanOrEqual(0);
  }, 120_000);
  it('runs the opt-in room scenario (XEP-0045 fan-out): every occupant gets every message', async () => {
    const [line] = await bench(['--scenario', 'room', '--occupants', '5', '--rounds', '3']);
    expect(line!.scenario).toBe('room');
    expect(line!.metrics).toMatchObject({ n5_lost: 0, errors: 0 });
    expect(line!.metrics.n5_deliveries_per_s).toBeGreaterThan(1);
    expect(line!.metrics.n5_latency_p99_ms).toBeGreaterThanOrEqual(line!.metrics.n5_latency_p50_ms!);
    // Read from /proc in 10 ms ticks: 15 deliveries may well cost less than one tick.
    expect(line!.metrics.n5_server_cpu_us_per_delivery).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('refuses an unknown scenario', async () => {
    const result = await runCli(['bench', '--scenario', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown scenario 'nope'/);
  });
});
