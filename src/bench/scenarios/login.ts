// Scenario "login": N clients each go TCP → STARTTLS → SCRAM-SHA-1 → bind → presence, a few at a
// time, and stay connected so the server's memory per idle session can be read afterwards.
// measureLogins() is shared with the SASL2, FAST and TLS-only variants (login-variants.ts).
import { BenchClient } from '../bench-client.js';
import { closeAll, ensureAccounts, inParallel, usernames } from '../accounts.js';
import { summarize } from '../percentiles.js';
import { maybeSample, openFilesLimit, ownCpuSeconds } from '../proc-stats.js';
import type { BenchContext, ScenarioResult } from '../types.js';

export interface LoginOptions {
  clients: number;
  /** Logins in flight at once. */
  concurrency: number;
}

export async function loginScenario(ctx: BenchContext, options: LoginOptions): Promise<ScenarioResult> {
  const names = await loginAccounts(ctx, options, 'l');
  return measureLogins(ctx, 'login', options, names, async (name) => {
    const client = await BenchClient.connect(ctx.target);
    await client.login(name, ctx.password);
    return client;
  });
}

/** Creates this scenario's accounts, after checking the descriptor limit. */
export async function loginAccounts(ctx: BenchContext, options: LoginOptions, tag: string): Promise<string[]> {
  // Node cannot raise its own descriptor limit: say so up front instead of failing at N = 1,000.
  const limit = openFilesLimit();
  if (limit !== undefined && options.clients + 64 > limit) {
    throw new Error(`login: ${options.clients} clients need more open files than ulimit -n allows (${limit}); raise it, e.g. ulimit -n ${options.clients + 1024}`);
  }
  const names = usernames(ctx.runId, tag, options.clients);
  await ensureAccounts(ctx.target, ctx.accounts, names, ctx.password);
  return names;
}

/**
 * Runs `connectAndLogin` once per name, `concurrency` at a time, and reports logins per second,
 * latencies and the server's CPU per login; the clients stay connected until the end.
 */
export async function measureLogins(
  ctx: BenchContext,
  scenario: string,
  options: LoginOptions,
  names: readonly string[],
  connectAndLogin: (name: string, index: number) => Promise<BenchClient>,
): Promise<ScenarioResult> {
  const clients: BenchClient[] = [];
  const latencies: number[] = [];
  let errors = 0;
  const before = maybeSample(ctx.serverPid);
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  await inParallel(names, options.concurrency, async (name, index) => {
    const t0 = performance.now();
    try {
      clients.push(await connectAndLogin(name, index));
      latencies.push(performance.now() - t0);
    } catch (error) {
      errors++;
      ctx.log(`${scenario} ${name}: ${(error as Error).message}`);
    }
  });
  const elapsedS = (performance.now() - started) / 1000;
  const ownCpu = ownCpuSeconds() - ownBefore;
  // Let the server finish presence work and settle before reading its memory.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = maybeSample(ctx.serverPid);
  errors += clients.filter((c) => c.failure !== undefined).length;
  await closeAll(clients);

  const s = summarize(latencies);
  const metrics: Record<string, number> = {
    logins_per_s: latencies.length / elapsedS,
    login_p50_ms: s.p50,
    login_p99_ms: s.p99,
    login_max_ms: s.max,
    errors,
    bench_cpu_s: ownCpu,
  };
  if (before && after) {
    metrics.kib_per_idle_session = (after.rssKiB - before.rssKiB) / Math.max(1, latencies.length);
    metrics.server_cpu_ms_per_login = ((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, latencies.length);
  }
  const windowUs: { windowUs?: [number, number] } = before && after ? { windowUs: [before.monoUs, after.monoUs] } : {};
  return { scenario, params: { clients: options.clients, concurrency: options.concurrency }, metrics, ...windowUs };
}
