// The cluster bench (issue 17), `npm run bench -- --cluster` or `node scripts/bench/cluster.mjs`:
// 1, 2 and 3 Herald nodes on one Redis and one PostgreSQL (plain processes, backing.mjs), the
// fixed-rate scenario at a fixed offered load. With one node senders and receivers share it;
// with more, senders log in to node 1 and receivers to the others, so every message crosses
// nodes; with two nodes the same-node layout runs on the cluster too, for the CPU ratio. Per
// message: each node's CPU (from /proc, in the sending window), the cluster's total, and the
// Redis commands (INFO commandstats, heartbeats included). Where there are at least 2 CPUs the
// nodes run on the last one and Redis, PostgreSQL and the load generator on the others (taskset).
// `--pin split` puts node i on CPU i-1 (mod the CPUs) and leaves the rest to the scheduler, for a
// core per node; `--stalls DIR` records each node's and the load generator's event-loop stalls and
// GC pauses and every message's latency there (stall-preload.mjs; read with stall-report.mjs);
// `--sm` has every client enable XEP-0198 stream management and answer the server's <r/>.
// Usage: node scripts/bench/cluster.mjs [--repeat N] [--nodes 1,2,3] [--rate R] [--duration S] [--pairs K] [--no-pin | --pin shared|split|none] [--profile DIR] [--stalls DIR] [--node-flags '--flag …'] [--module 'mam: { enabled: false }' …] [--sm]
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { median } from '../../dist/bench/percentiles.js';
import { formatNumber } from '../../dist/bench/report.js';
import { DOMAIN, startHerald } from './servers.mjs';
import { startPostgresServer, startRedis } from './backing.mjs';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export function parseClusterArgs(argv) {
  const opts = { repeat: 3, nodes: [1, 2, 3], rate: 1000, duration: 5, pairs: 10, pin: 'shared' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeat') opts.repeat = Number(argv[++i]);
    else if (a === '--nodes') opts.nodes = argv[++i].split(',').map(Number);
    else if (a === '--rate') opts.rate = Number(argv[++i]);
    else if (a === '--duration') opts.duration = Number(argv[++i]);
    else if (a === '--pairs') opts.pairs = Number(argv[++i]);
    else if (a === '--no-pin') opts.pin = 'none';
    else if (a === '--pin') opts.pin = argv[++i];
    else if (a === '--stalls') opts.stallDir = path.resolve(argv[++i]);
    else if (a === '--node-flags') opts.nodeFlags = argv[++i].split(' ').filter(Boolean);
    else if (a === '--module') (opts.modules ??= []).push(argv[++i]);
    else if (a === '--sm') opts.sm = true;
    else if (a === '--profile') opts.profileDir = path.resolve(argv[++i]);
    else throw new Error(`cluster bench: unknown option ${a}`);
  }
  if (!['shared', 'split', 'none'].includes(opts.pin)) throw new Error(`cluster bench: --pin takes shared, split or none, not ${opts.pin}`);
  return opts;
}

/**
 * shared: every node on the last CPU, everything else on the rest. split: node i on CPU i-1 (mod
 * the CPUs), Redis, PostgreSQL and the load generator wherever the scheduler puts them. Nothing is
 * pinned on one CPU or without taskset. `nodes(i)` is the prefix for node i (1-based).
 */
function pinning(mode) {
  const cpus = os.cpus().length;
  if (mode === 'none' || cpus < 2 || !fs.existsSync('/usr/bin/taskset')) return { nodes: () => [], others: [], note: 'not pinned' };
  if (mode === 'split') return { nodes: (i) => ['taskset', '-c', String((i - 1) % cpus)], others: [], note: `node i on CPU i-1 (mod ${cpus}), Redis, PostgreSQL and the load generator not pinned` };
  return { nodes: () => ['taskset', '-c', String(cpus - 1)], others: ['taskset', '-c', `0-${cpus - 2}`], note: `nodes on CPU ${cpus - 1}, Redis, PostgreSQL and the load generator on CPU 0–${cpus - 2}` };
}

const STALL_PRELOAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'stall-preload.mjs');

/** Client commands Redis ran, by name (commands a script runs inside Redis are counted apart). */
async function commandCounts(redis) {
  const text = await redis.info('commandstats');
  return Object.fromEntries([...text.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/**
 * CPU seconds of a process and all its descendants (PostgreSQL's backends are the postmaster's
 * children), from /proc: what Redis and PostgreSQL spend beside the nodes, on the shared CPU.
 */
function treeCpuSeconds(rootPid) {
  const procs = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, and cutime + cstime: a backend that exited (a pool closing an idle
      // connection) moved its CPU to the postmaster's children's time when it was reaped.
      procs.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const wanted = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) if (!wanted.has(pid) && wanted.has(p.ppid)) grew = wanted.add(pid) !== undefined;
  }
  for (const pid of wanted) ticks += procs.get(pid)?.ticks ?? 0;
  return ticks / 100;
}

/**
 * Commands a node sends itself. Redis counts the calls a script makes under their own names
 * (the bus's append script runs HEXISTS, HGET, HSET and XADD), so those commands are left out:
 * nodes send them directly only when a node fails, and heartbeats go as EVALSHA.
 */
const ROUND_TRIPS = ['evalsha', 'eval', 'xread', 'xdel', 'xrange', 'publish', 'hvals', 'hgetall', 'hkeys'];

async function benchOnce({ nodes, layout, opts, redis, pin, round, backing }) {
  const senderNode = nodes[0];
  const receiverNodes = layout === 'same-node' ? [nodes[0]] : nodes.slice(1);
  const jsonFile = path.join(os.tmpdir(), `herald-cluster-bench-${process.pid}-${Date.now()}.jsonl`);
  const args = [
    CLI, 'bench', '--scenario', 'fixed-rate', '--port', String(senderNode.port), '--domain', DOMAIN,
    '--rate', String(opts.rate), '--duration', String(opts.duration), '--pairs', String(opts.pairs),
    '--server-pid', String(senderNode.pid), '--label', `${nodes.length}-${layout}`, '--json', jsonFile,
    ...receiverNodes.flatMap((n) => ['--receiver-port', String(n.port)]),
    ...nodes.slice(1).flatMap((n) => ['--node-pid', String(n.pid)]),
    ...(opts.sm ? ['--sm'] : []),
  ];
  const before = await commandCounts(redis);
  const backingBefore = backing.map(treeCpuSeconds);
  try {
    const label = `${nodes.length}n-${layout}-r${round}`;
    const stalls = opts.stallDir ? ['--import', STALL_PRELOAD] : [];
    const env = opts.stallDir
      ? { ...process.env, HERALD_STALL_DIR: opts.stallDir, HERALD_STALL_LABEL: `gen-${label}`, HERALD_BENCH_LATENCY_FILE: path.join(opts.stallDir, `latency-${label}.jsonl`) }
      : process.env;
    const [program, ...rest] = [...pin.others, process.execPath, ...stalls, ...args];
    await run(program, rest, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000, env });
    const after = await commandCounts(redis);
    const [redisCpuS, postgresCpuS] = backing.map((pid, i) => treeCpuSeconds(pid) - backingBefore[i]);
    const line = JSON.parse(fs.readFileSync(jsonFile, 'utf8').trim().split('\n')[0]);
    const sent = Math.max(1, line.metrics.sent);
    const calls = (name) => (after[name] ?? 0) - (before[name] ?? 0);
    const redisMetrics = {
      redis_calls_per_msg: ROUND_TRIPS.reduce((sum, name) => sum + calls(name), 0) / sent,
      redis_evalsha_per_msg: calls('evalsha') / sent,
      redis_xread_per_msg: calls('xread') / sent,
      redis_xdel_per_msg: calls('xdel') / sent,
      // Every command, for a look at what else a message costs (kept in --profile's windows file).
      // Over the whole run (logins and drain included), so only comparable between runs.
      redis_cpu_us_per_msg: (redisCpuS * 1e6) / sent,
      postgres_cpu_us_per_msg: (postgresCpuS * 1e6) / sent,
      redis_per_msg_by_command: Object.fromEntries(Object.keys(after).filter((name) => calls(name) > 0).map((name) => [name, calls(name) / sent])),
    };
    // Kept beside the profiles: cpuprofile-summary.mjs --windows counts only the measured window.
    if (opts.profileDir) {
      fs.mkdirSync(opts.profileDir, { recursive: true });
      fs.appendFileSync(path.join(opts.profileDir, `windows-${layout}.jsonl`), `${JSON.stringify({ ...line, metrics: { ...line.metrics, ...redisMetrics } })}\n`);
    }
    return { nodes: nodes.length, layout, metrics: { ...line.metrics, ...redisMetrics } };
  } finally {
    fs.rmSync(jsonFile, { force: true });
  }
}

export async function clusterBench(opts, log = (text) => process.stderr.write(`${text}\n`)) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cluster-bench-'));
  fs.chmodSync(root, 0o755);
  const pin = pinning(opts.pin);
  const results = [];
  const redisService = await startRedis(path.join(root, 'redis'), pin.others);
  const postgres = await startPostgresServer(path.join(root, 'postgres'), pin.others);
  const redis = new Redis(redisService.url);
  try {
    for (const count of opts.nodes) {
      await redis.flushall();
      const url = await postgres.createDatabase(`bench_${count}`);
      const nodes = [];
      try {
        for (let i = 1; i <= count; i++) {
          const dir = path.join(root, `n${count}-${i}`);
          fs.mkdirSync(dir);
          const env = { HERALD_REDIS_URL: redisService.url, HERALD_POSTGRES_URL: url, HERALD_NODE_ID: `node-${i}` };
          // --profile DIR: each node writes a V8 CPU profile there at exit (scripts/bench/cpuprofile-summary.mjs).
          const profile = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(opts.profileDir, `n${count}-${i}`)] : [];
          if (opts.stallDir) Object.assign(env, { HERALD_STALL_DIR: opts.stallDir, HERALD_STALL_LABEL: `node${i}-of-${count}` });
          const stalls = opts.stallDir ? ['--import', STALL_PRELOAD] : [];
          nodes.push(await startHerald(dir, CLI, [...(opts.nodeFlags ?? []), ...profile, ...stalls], { env, pin: pin.nodes(i), modules: opts.modules ?? [] }));
        }
        const layouts = count === 1 ? ['same-node'] : count === 2 ? ['same-node', 'cross-node'] : ['cross-node'];
        for (let round = 1; round <= opts.repeat; round++) {
          for (const layout of layouts) {
            log(`cluster bench: ${count} node(s), ${layout}, round ${round}/${opts.repeat}`);
            results.push({ ...(await benchOnce({ nodes, layout, opts, redis, pin, round, backing: [redisService.pid, postgres.pid] })), round });
          }
        }
      } finally {
        for (const node of nodes) await node.stop();
      }
    }
  } finally {
    redis.disconnect();
    await redisService.stop();
    await postgres.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { results, note: pin.note };
}

const COLUMNS = [
  ['msgs_per_s', 'msgs/s'],
  ['latency_p50_ms', 'p50 ms'],
  ['latency_p99_ms', 'p99 ms'],
  ['server_cpu_us_per_msg', 'node 1 CPU µs/msg'],
  ['node2_cpu_us_per_msg', 'node 2 CPU µs/msg'],
  ['node3_cpu_us_per_msg', 'node 3 CPU µs/msg'],
  ['cluster_cpu_us_per_msg', 'all nodes CPU µs/msg'],
  ['redis_calls_per_msg', 'Redis calls/msg'],
  ['redis_cpu_us_per_msg', 'Redis CPU µs/msg'],
  ['postgres_cpu_us_per_msg', 'PostgreSQL CPU µs/msg'],
  ['redis_evalsha_per_msg', 'EVALSHA/msg'],
  ['lost', 'lost'],
];

/** Markdown: one row per (nodes, layout), medians (min–max) of the rounds. */
export function clusterTable({ results, note }, opts) {
  const groups = [];
  for (const r of results) if (!groups.some((g) => g.nodes === r.nodes && g.layout === r.layout)) groups.push({ nodes: r.nodes, layout: r.layout });
  const header = ['nodes', 'layout', ...COLUMNS.map(([, title]) => title)];
  const rows = groups.map(({ nodes, layout }) => {
    const mine = results.filter((r) => r.nodes === nodes && r.layout === layout);
    return [nodes, layout, ...COLUMNS.map(([key]) => {
      const values = mine.map((r) => r.metrics[key]).filter((v) => v !== undefined);
      if (values.length === 0) return '–';
      return values.length === 1 ? formatNumber(values[0]) : `${formatNumber(median(values))} (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`;
    })];
  });
  const cpu = (layout) => median(results.filter((r) => r.nodes === 2 && r.layout === layout).map((r) => r.metrics.cluster_cpu_us_per_msg ?? r.metrics.server_cpu_us_per_msg));
  const ratio = cpu('cross-node') / cpu('same-node');
  return [
    [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n'),
    '',
    `fixed-rate ${opts.rate} msg/s offered, ${opts.pairs} pairs, ${opts.duration} s, ${opts.repeat} round(s); ${note}.`,
    ...(Number.isFinite(ratio) ? [`2 nodes: a cross-node message costs ${ratio.toFixed(2)}× the CPU of a same-node message (all nodes; bar ≤ 1.5).`] : []),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseClusterArgs(process.argv.slice(2));
  console.log(clusterTable(await clusterBench(opts), opts));
}
