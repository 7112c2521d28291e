// Scenario "fixed-rate": K pairs offering R messages per second in total, as real traffic does,
// instead of as fast as possible; shows latency and server CPU per message at a known load.
import { ensureAccounts, usernames } from '../accounts.js';
import { runPairsSplit } from '../pairs-worker.js';
import { summarize } from '../percentiles.js';
import { ownCpuSeconds } from '../proc-stats.js';
import { pid, type BenchContext, type ScenarioResult } from '../types.js';

export interface FixedRateOptions {
  pairs: number;
  rate: number;
  durationS: number;
  /** Seconds of sending at the rate before the measured window. */
  warmupS: number;
  /** Clients enable XEP-0198 stream management, as real ones do. */
  sm?: boolean;
}

/** In-flight cap per sender: far above what a healthy server needs at the offered rate. */
const MAX_IN_FLIGHT = 10_000;

export async function fixedRateScenario(ctx: BenchContext, options: FixedRateOptions): Promise<ScenarioResult> {
  const senders = usernames(ctx.runId, 'fs', options.pairs);
  const receivers = usernames(ctx.runId, 'fr', options.pairs);
  await ensureAccounts(ctx.target, ctx.accounts, [...senders, ...receivers], ctx.password);

  const ownBefore = ownCpuSeconds();
  const result = await runPairsSplit(
    {
      target: ctx.target,
      password: ctx.password,
      senders,
      receivers,
      window: MAX_IN_FLIGHT,
      durationS: options.durationS,
      rate: options.rate,
      warmupS: options.warmupS,
      sm: options.sm ?? false,
      ...pid(ctx),
      ...(ctx.receiverTargets ? { receiverTargets: ctx.receiverTargets } : {}),
      ...(ctx.otherServerPids ? { otherServerPids: ctx.otherServerPids } : {}),
    },
    ctx.workers,
  );
  const ownCpu = ownCpuSeconds() - ownBefore;

  const s = summarize(result.latencies);
  const metrics: Record<string, number> = {
    offered_per_s: options.rate,
    msgs_per_s: result.receivedInWindow / result.elapsedS,
    latency_p50_ms: s.p50,
    latency_p99_ms: s.p99,
    latency_max_ms: s.max,
    sent: result.sent,
    lost: result.sent - result.received,
    errors: result.errors,
    bench_cpu_s: ownCpu,
  };
  // XEP-0198: how often the server asked the clients for an acknowledgement (each was answered).
  if (result.ackRequests !== undefined) metrics.ack_requests_per_msg = result.ackRequests / Math.max(1, result.sent);
  // How long the server was ready to run but had no CPU: latency the machine adds, not the server.
  if (result.serverWaitMs !== undefined) metrics.server_wait_ms_per_s = result.serverWaitMs / result.elapsedS;
  const perMessage = (cpuS: number) => (cpuS * 1e6) / Math.max(1, result.receivedInWindow);
  if (result.serverCpuS !== undefined) metrics.server_cpu_us_per_msg = perMessage(result.serverCpuS);
  // Cluster: each node's share, and what a message costs the cluster in all (the first node above).
  if (result.serverCpuS !== undefined && result.otherServerCpuS) {
    result.otherServerCpuS.forEach((cpuS, i) => (metrics[`node${i + 2}_cpu_us_per_msg`] = perMessage(cpuS)));
    metrics.cluster_cpu_us_per_msg = perMessage(result.serverCpuS + result.otherServerCpuS.reduce((a, b) => a + b, 0));
  }
  return { scenario: 'fixed-rate', params: { pairs: options.pairs, rate: options.rate, duration_s: options.durationS, warmup_s: options.warmupS, sm: options.sm ? 1 : 0 }, metrics, ...(result.windowUs ? { windowUs: result.windowUs } : {}) };
}
