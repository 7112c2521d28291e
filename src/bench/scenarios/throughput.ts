// Scenarios "throughput" (K pairs, window W) and "latency" (the same with window 1: each message
// waits for the previous one, so the figure is the server's per-message path, not its queues).
import { ensureAccounts, usernames } from '../accounts.js';
import { runPairsSplit } from '../pairs-worker.js';
import { summarize } from '../percentiles.js';
import { ownCpuSeconds } from '../proc-stats.js';
import { pid, type BenchContext, type ScenarioResult } from '../types.js';

export interface ThroughputOptions {
  pairs: number;
  window: number;
  durationS: number;
}

export async function throughputScenario(ctx: BenchContext, options: ThroughputOptions, name = 'throughput'): Promise<ScenarioResult> {
  const tag = name === 'latency' ? 'y' : 't';
  const senders = usernames(ctx.runId, `${tag}s`, options.pairs);
  const receivers = usernames(ctx.runId, `${tag}r`, options.pairs);
  await ensureAccounts(ctx.target, ctx.accounts, [...senders, ...receivers], ctx.password);

  const ownBefore = ownCpuSeconds();
  const result = await runPairsSplit(
    { target: ctx.target, password: ctx.password, senders, receivers, window: options.window, durationS: options.durationS, ...pid(ctx) },
    ctx.workers,
  );
  const ownCpu = ownCpuSeconds() - ownBefore;

  const s = summarize(result.latencies);
  const metrics: Record<string, number> = {
    msgs_per_s: result.receivedInWindow / result.elapsedS,
    latency_p50_ms: s.p50,
    latency_p90_ms: s.p90,
    latency_p99_ms: s.p99,
    latency_max_ms: s.max,
    sent: result.sent,
    lost: result.sent - result.received,
    errors: result.errors,
    bench_cpu_s: ownCpu,
  };
  // How long the server was ready to run but had no CPU: latency the machine adds, not the server.
  if (result.serverWaitMs !== undefined) metrics.server_wait_ms_per_s = result.serverWaitMs / result.elapsedS;
  if (result.serverCpuS !== undefined) {
    metrics.server_cpu_pct = (result.serverCpuS / result.elapsedS) * 100;
    metrics.server_cpu_us_per_msg = (result.serverCpuS * 1e6) / Math.max(1, result.receivedInWindow);
  }
  return { scenario: name, params: { pairs: options.pairs, window: options.window, duration_s: options.durationS, workers: ctx.workers }, metrics, ...(result.windowUs ? { windowUs: result.windowUs } : {}) };
}
