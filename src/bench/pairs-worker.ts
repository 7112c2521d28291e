// Runs a share of the pairs in a worker thread, so one bench process can use several cores.
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { runPairs, type PairsOptions, type PairsResult } from './pairs.js';

if (parentPort && (workerData as { benchPairs?: PairsOptions } | null)?.benchPairs) {
  const result = await runPairs((workerData as { benchPairs: PairsOptions }).benchPairs);
  parentPort.postMessage(result);
}

/** Splits the pairs over `workers` threads (0 or 1: this thread) and merges what they measured. */
export async function runPairsSplit(options: PairsOptions, workers: number): Promise<PairsResult> {
  const count = Math.min(workers, options.senders.length);
  if (count <= 1) return runPairs(options);
  const shares = Array.from({ length: count }, (_, w) => {
    const pick = <T>(list: T[]) => list.filter((_, i) => i % count === w);
    const share: PairsOptions = { ...options, senders: pick(options.senders), receivers: pick(options.receivers) };
    if (options.rate !== undefined) share.rate = (options.rate * share.senders.length) / options.senders.length;
    return share;
  });
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<PairsResult>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { benchPairs: share } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  // The workers' sending windows overlap almost entirely, so the largest server sample stands for all.
  const cpu = results.map((r) => r.serverCpuS).filter((v): v is number => v !== undefined);
  const wait = results.map((r) => r.serverWaitMs).filter((v): v is number => v !== undefined);
  const windows = results.map((r) => r.windowUs).filter((w): w is [number, number] => w !== undefined);
  const others = results.map((r) => r.otherServerCpuS).filter((v): v is number[] => v !== undefined);
  return {
    ...(cpu.length ? { serverCpuS: Math.max(...cpu) } : {}),
    ...(wait.length ? { serverWaitMs: Math.max(...wait) } : {}),
    ...(others.length ? { otherServerCpuS: others[0]!.map((_, i) => Math.max(...others.map((o) => o[i]!))) } : {}),
    ...(windows.length ? { windowUs: [Math.min(...windows.map((w) => w[0])), Math.max(...windows.map((w) => w[1]))] } : {}),
    sent: sum(results.map((r) => r.sent)),
    received: sum(results.map((r) => r.received)),
    errors: sum(results.map((r) => r.errors)),
    latencies: results.flatMap((r) => r.latencies),
    elapsedS: Math.max(...results.map((r) => r.elapsedS)),
    receivedInWindow: sum(results.map((r) => r.receivedInWindow)),
    ...(results.some((r) => r.ackRequests !== undefined) ? { ackRequests: sum(results.map((r) => r.ackRequests ?? 0)) } : {}),
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
