// Scenario "scale": N idle sessions held open (STARTTLS, SCRAM, bind, XEP-0198 on, roster,
// presence), opened by worker threads from several source addresses; then, with all of them
// still connected: the server's idle CPU, K active pairs at a fixed rate, and the presence
// fan-out of a user with C contacts. Reports RSS per session (delta ÷ sessions), the login rate
// overall and over the last tenth (with 90 % of N already connected), and the server's CPU.
// Phases: 'register' creates the accounts only, 'measure' uses existing ones (so a driver can
// restart the server in between and measure a fresh one), 'all' does both against one server.
import { openFilesLimit, maybeSample, ownCpuSeconds } from '../proc-stats.js';
import { summarize } from '../percentiles.js';
import { usernames } from '../accounts.js';
import { ScaleFleet, type ScalePhase } from '../scale-worker.js';
import { fixedRateScenario } from './fixed-rate.js';
import { fanoutScenario } from './fanout.js';
import type { BenchContext, ScenarioResult } from '../types.js';

export interface ScaleOptions {
  clients: number;
  concurrency: number;
  phase: 'all' | 'register' | 'measure' | 'tls';
  /** Seconds the idle server's CPU is watched. */
  idleS: number;
  pairs: number;
  rate: number;
  durationS: number;
  /** Seconds of load before the active phase is measured. */
  warmupS: number;
  contacts: number;
  rounds: number;
}

/** Connections per source address: under the ~28,000 ephemeral ports Linux gives each by default. */
const PER_ADDRESS = 16_000;

/** 127.0.0.2 … as many as N needs (loopback answers every 127/8 address on Linux). */
export function sourceAddresses(clients: number): string[] {
  return Array.from({ length: Math.ceil(clients / PER_ADDRESS) }, (_, i) => `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
}

export async function scaleScenario(ctx: BenchContext, options: ScaleOptions): Promise<ScenarioResult> {
  const limit = openFilesLimit();
  if (limit !== undefined && options.clients + 4096 > limit) {
    throw new Error(`scale: ${options.clients} sessions need more open files than ulimit -n allows (${limit}); raise it, e.g. prlimit --pid $$ --nofile=${options.clients + 8192}`);
  }
  const idle = usernames(ctx.runId, 's', options.clients);
  const params = { clients: options.clients, phase: options.phase, open_files_limit: limit ?? 'unlimited', source_addresses: sourceAddresses(options.clients).length };
  const workers = Math.max(1, ctx.workers);
  const fleet = (phase: ScalePhase, names: string[]) =>
    ScaleFleet.start({ target: ctx.target, password: ctx.password, names, addresses: sourceAddresses(names.length), concurrency: options.concurrency, phase }, workers);

  if (options.phase === 'register' || options.phase === 'all') {
    const everyone = [
      ...idle,
      ...usernames(ctx.runId, 'fs', options.pairs),
      ...usernames(ctx.runId, 'fr', options.pairs),
      ...usernames(ctx.runId, 'u', 1),
      ...usernames(ctx.runId, 'c', options.contacts),
    ];
    const started = performance.now();
    const registering = await fleet('register', everyone);
    await registering.close();
    const errors = sum(registering.results.map((r) => r.errors));
    if (errors > 0) ctx.log(`scale register: ${errors} failed, first: ${registering.results.find((r) => r.firstError)?.firstError}`);
    if (options.phase === 'register') {
      return { scenario: 'scale-register', params, metrics: { registered_per_s: (everyone.length - errors) / ((performance.now() - started) / 1000), errors } };
    }
  }

  const before = maybeSample(ctx.serverPid);
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const sessions = await fleet(options.phase === 'tls' ? 'tls' : 'login', idle);
  const elapsedS = (performance.now() - started) / 1000;
  const bench_cpu_s = ownCpuSeconds() - ownBefore;
  const latencies = sessions.results.flatMap((r) => r.latencies);
  const doneAt = sessions.results.flatMap((r) => r.doneAt).sort((a, b) => a - b);
  let errors = sum(sessions.results.map((r) => r.errors));
  const firstError = sessions.results.find((r) => r.firstError)?.firstError;
  if (firstError) ctx.log(`scale: ${errors} sessions failed, first: ${firstError}`);
  // Let presence and acknowledgements settle before reading memory.
  await sleep(2000);
  const settled = maybeSample(ctx.serverPid);
  const idleEnd = settled ? (await sleep(options.idleS * 1000), maybeSample(ctx.serverPid)) : undefined;

  const s = summarize(latencies);
  const metrics: Record<string, number> = {
    sessions: latencies.length,
    logins_per_s: latencies.length / elapsedS,
    logins_per_s_last_tenth: lastTenthRate(doneAt),
    login_p50_ms: s.p50,
    login_p99_ms: s.p99,
    bench_cpu_s,
  };
  if (before && settled && idleEnd) {
    metrics.kib_per_session = (settled.rssKiB - before.rssKiB) / Math.max(1, latencies.length);
    metrics.server_rss_mib = settled.rssKiB / 1024;
    metrics.server_cpu_ms_per_login = ((settled.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, latencies.length);
    metrics.idle_cpu_pct = ((idleEnd.cpuSeconds - settled.cpuSeconds) * 100) / ((idleEnd.at - settled.at) / 1000);
  }
  if (options.phase !== 'tls') {
    const existing = { ...ctx, accounts: { kind: 'existing' as const } };
    const active = await fixedRateScenario(existing, { pairs: options.pairs, rate: options.rate, durationS: options.durationS, warmupS: options.warmupS });
    for (const [k, v] of Object.entries(active.metrics)) metrics[`active_${k}`] = v;
    const fanout = await fanoutScenario(existing, { contacts: options.contacts, rounds: options.rounds });
    for (const [k, v] of Object.entries(fanout.metrics)) metrics[`fanout_${k}`] = v;
  }
  errors += await sessions.failedCount();
  metrics.errors = errors;
  await sessions.close();
  return { scenario: options.phase === 'tls' ? 'scale-tls' : 'scale', params, metrics };
}

/** Sessions per second over the last tenth to come up, when 90 % were already connected. */
function lastTenthRate(doneAt: number[]): number {
  const k = Math.max(2, Math.floor(doneAt.length / 10));
  if (doneAt.length < 2) return Number.NaN;
  const first = doneAt[doneAt.length - k]!;
  const last = doneAt[doneAt.length - 1]!;
  return last > first ? ((k - 1) * 1000) / (last - first) : Number.NaN;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
