// The message engine behind "throughput", "latency" and "fixed-rate": K sender→receiver pairs.
// Each message body carries "<seq> <send time>", so the receiver measures latency without any
// shared table; stanzas are pre-serialised and only the body numbers are spliced in.
// Window mode: each sender keeps at most W messages in flight. Rate mode: senders follow a fixed
// schedule (what an offered load looks like) and the window only guards against runaway queues.
import fs from 'node:fs';
import { loginAll, closeAll } from './accounts.js';
import { topAttr } from './tokenizer.js';
import { maybeSample, sampleProcess } from './proc-stats.js';
import type { BenchClient, Target } from './bench-client.js';

export interface PairsOptions {
  target: Target;
  password: string;
  senders: string[];
  receivers: string[];
  window: number;
  durationS: number;
  /** Messages per second over all pairs; undefined for window mode. */
  rate?: number;
  /**
   * Rate mode: seconds of sending at the rate before the measured window opens, so that code
   * first run while measuring (JIT, caches, pools) does not weigh on the figures.
   */
  warmupS?: number;
  /** Every client enables XEP-0198 stream management and answers the server's <r/>. */
  sm?: boolean;
  /** Server to sample around the sending window (logins and drain excluded). */
  serverPid?: number;
  /** Cluster: receiver i logs in to receiverTargets[i mod their number] instead of `target`. */
  receiverTargets?: Target[];
  /** Cluster: the other nodes' processes, sampled like serverPid. */
  otherServerPids?: number[];
}

export interface PairsResult {
  sent: number;
  received: number;
  /** Error stanzas, stream errors and failed connections. */
  errors: number;
  /** Milliseconds, one per received message. */
  latencies: number[];
  /** Seconds from the first send to the stop of sending. */
  elapsedS: number;
  /** Messages received before sending stopped, for the rate. */
  receivedInWindow: number;
  /** Server CPU seconds used during the sending window, when a PID was given. */
  serverCpuS?: number;
  /** Run-queue wait of the server's threads in the same window (see ProcSample.waitMs). */
  serverWaitMs?: number;
  /** The sending window on CLOCK_MONOTONIC (µs), when a PID was given. */
  windowUs?: [number, number];
  /** CPU seconds of each of otherServerPids in the same window. */
  otherServerCpuS?: number[];
  /** XEP-0198 <r/> the server sent the clients, over the whole run (with `sm`). */
  ackRequests?: number;
}

const DRAIN_TIMEOUT_MS = 10_000;
const TICK_MS = 5;

interface Pair {
  sender: BenchClient;
  prefix: string;
  seq: number;
  inFlight: number;
}

export async function runPairs(options: PairsOptions): Promise<PairsResult> {
  const login = { sm: options.sm ?? false };
  const senders = await loginAll(options.target, options.senders, options.password, undefined, login);
  const receivers = await loginAll(options.receiverTargets ?? options.target, options.receivers, options.password, undefined, login);
  const result: PairsResult = { sent: 0, received: 0, errors: 0, latencies: [], elapsedS: 0, receivedInWindow: 0 };
  // Diagnosis (scripts/bench/stall-report.mjs): each message's send time (epoch ms) and latency.
  const latencyFile = process.env.HERALD_BENCH_LATENCY_FILE;
  const timed: string[] = [];
  let running = true;
  const windowMode = options.rate === undefined;
  /** Messages sent before this instant (performance.now()) were warm-up: not measured. */
  let measuredFrom = 0;

  const pairs: Pair[] = senders.map((sender, i) => {
    const to = `${options.receivers[i]}@${options.target.domain}`;
    return { sender, prefix: `<message type='chat' to='${to}' id='`, seq: 0, inFlight: 0 };
  });
  const sendOne = (pair: Pair): void => {
    const seq = ++pair.seq;
    pair.inFlight++;
    result.sent++;
    pair.sender.send(`${pair.prefix}${seq}'><body>${seq} ${performance.now().toFixed(3)}</body></message>`);
  };
  const countErrors = (text: string): void => {
    if (topAttr(text, 'type') === 'error') result.errors++;
  };

  for (const sender of senders) sender.handler = countErrors;
  receivers.forEach((receiver, i) => {
    const pair = pairs[i]!;
    receiver.handler = (text) => {
      if (!text.startsWith('<message')) return countErrors(text);
      if (topAttr(text, 'type') === 'error') return void result.errors++;
      const body = /<body>(\d+) ([\d.]+)<\/body>/.exec(text);
      if (!body) return;
      result.received++;
      const sentAt = Number(body[2]);
      if (sentAt >= measuredFrom) {
        const latency = performance.now() - sentAt;
        result.latencies.push(latency);
        if (latencyFile) timed.push(`[${(performance.timeOrigin + sentAt).toFixed(3)},${latency.toFixed(3)}]`);
      }
      pair.inFlight--;
      if (running && windowMode) sendOne(pair);
    };
  });

  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  if (windowMode) {
    for (const pair of pairs) for (let i = 0; i < options.window; i++) sendOne(pair);
  } else {
    const perPair = options.rate! / pairs.length;
    timer = setInterval(() => {
      const due = Math.floor((perPair * (performance.now() - started)) / 1000);
      for (const pair of pairs) {
        while (pair.seq < due && pair.inFlight < options.window) sendOne(pair);
      }
    }, TICK_MS);
  }
  const warmupS = windowMode ? 0 : (options.warmupS ?? 0);
  if (warmupS > 0) await new Promise((resolve) => setTimeout(resolve, warmupS * 1000));
  const receivedBefore = result.received;
  const windowStart = performance.now();
  if (warmupS > 0) measuredFrom = windowStart;
  const before = maybeSample(options.serverPid);
  const othersBefore = (options.otherServerPids ?? []).map((p) => sampleProcess(p).cpuSeconds);
  await new Promise((resolve) => setTimeout(resolve, options.durationS * 1000));
  running = false;
  if (timer) clearInterval(timer);
  result.elapsedS = (performance.now() - windowStart) / 1000;
  result.receivedInWindow = result.received - receivedBefore;
  const after = maybeSample(options.serverPid);
  if (options.otherServerPids) result.otherServerCpuS = options.otherServerPids.map((p, i) => sampleProcess(p).cpuSeconds - othersBefore[i]!);
  if (before && after) {
    result.serverCpuS = after.cpuSeconds - before.cpuSeconds;
    if (before.waitMs !== undefined && after.waitMs !== undefined) result.serverWaitMs = after.waitMs - before.waitMs;
    result.windowUs = [before.monoUs, after.monoUs];
  }

  const drainStart = performance.now();
  while (result.received < result.sent && performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (latencyFile) fs.appendFileSync(latencyFile, timed.map((line) => `${line}\n`).join(''));
  const all = [...senders, ...receivers];
  result.errors += all.filter((c) => c.failure !== undefined).length;
  if (options.sm) result.ackRequests = all.reduce((sum, c) => sum + c.ackRequests, 0);
  await closeAll(all);
  return result;
}
