#!/usr/bin/env node
// Marginal memory per idle session: one Herald process, sessions added in steps of N (each step a
// separate `herald bench --scenario scale --scale-phase measure` that keeps its N sessions open),
// RSS and V8's heap statistics read after each step, as is and (with --gc) after a full GC. The
// marginal KiB per session between two steps excludes what is paid once (young generation, heap
// growth reserve, JIT code), which "RSS delta ÷ N" from a fresh server includes. Usage:
//   node scripts/bench/scale-marginal.mjs [--step 5000] [--steps 3] [--gc] [--node-args '--max-semi-space-size=1'] [--snapshot DIR] [--env K=V]
// Diagnostic: the server runs with scripts/bench/heap-stats-preload.mjs, which a deployment never loads.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DOMAIN, startHerald } from './servers.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../dist/cli/main.js');
const PRELOAD = path.join(here, 'heap-stats-preload.mjs');

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const step = Number(opt('--step', '5000'));
const steps = Number(opt('--steps', '3'));
const nodeArgs = opt('--node-args', '').split(' ').filter(Boolean);
const gcEachStep = args.includes('--gc');
/** Heap snapshots after each step are written to this folder (for scripts/bench/heap-diff.mjs). */
const snapshotDir = opt('--snapshot', undefined);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
/** Anonymous (malloc, V8 heap) and file-backed (code, mapped files) resident KiB. */
const rssKinds = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { anon_kib: kib('RssAnon'), file_kib: kib('RssFile'), shmem_kib: kib('RssShmem') };
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-marginal-'));
const statsFile = path.join(root, 'heap-stats.jsonl');
/** Extra environment for the server, e.g. --env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 */
const extraEnv = Object.fromEntries(args.flatMap((a, i) => (a === '--env' ? [args[i + 1].split(/=(.*)/s).slice(0, 2)] : [])));
const env = { HERALD_HEAP_STATS_FILE: statsFile, HERALD_HEAP_STATS_GC: gcEachStep ? '1' : '0', ...(snapshotDir ? { HERALD_HEAP_SNAPSHOT_DIR: path.resolve(snapshotDir) } : {}), ...extraEnv };
const benchArgs = (server, runId, phase) => [CLI, 'bench', '--port', String(server.port), '--domain', DOMAIN, '--scenario', 'scale', '--scale-phase', phase, '--server-pid', String(server.pid), '--run-id', runId, '--clients', String(step), '--pairs', '1', '--contacts', '1', '--workers', '2', '--concurrency', '32', '--idle', '86400'];

/** Asks the preload for a heap-statistics line (two with --gc) and returns them. */
async function heapStats(pid, snapshot = false) {
  if (snapshot) fs.writeFileSync(path.join(root, 'snapshot-wanted'), '');
  else fs.rmSync(path.join(root, 'snapshot-wanted'), { force: true });
  const before = fs.existsSync(statsFile) ? fs.readFileSync(statsFile, 'utf8').trim().split('\n').filter(Boolean).length : 0;
  process.kill(pid, 'SIGWINCH');
  const want = before + (gcEachStep ? 2 : 1);
  for (;;) {
    await sleep(200);
    const lines = fs.existsSync(statsFile) ? fs.readFileSync(statsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    if (lines.length >= want) return lines.slice(before).map((l) => JSON.parse(l));
  }
}

/**
 * Waits until the server holds `sessions` more descriptors than at `base` (or, on a loaded machine
 * where a few logins time out, until their count has stood still for 20 s at 95 % or more), then
 * for RSS to settle. Returns the sessions actually held.
 */
async function waitForSessions(pid, base, sessions, bench) {
  let held = 0;
  for (let still = 0; ; ) {
    const now = fdCount(pid) - base;
    if (now >= sessions) break;
    still = now === held ? still + 1 : 0;
    held = now;
    if (still >= 20 && now >= 0.95 * sessions) break;
    if (bench.exitCode !== null) throw new Error(`bench exited with ${bench.exitCode} before ${sessions} sessions were up`);
    await sleep(1000);
  }
  let last = rssKiB(pid);
  for (;;) {
    await sleep(3000);
    const now = rssKiB(pid);
    if (Math.abs(now - last) < 256) return Math.min(sessions, fdCount(pid) - base);
    last = now;
  }
}

const summary = (s) => ({
  rss_mib: s.rss / 2 ** 20,
  heap_committed_mib: s.heap.total_physical_size / 2 ** 20,
  heap_used_mib: s.heap.used_heap_size / 2 ** 20,
  new_space_committed_mib: s.spaces.new_space.committed / 2 ** 20,
  old_space_committed_mib: s.spaces.old_space.committed / 2 ** 20,
  old_space_used_mib: s.spaces.old_space.used / 2 ** 20,
  code_committed_mib: s.spaces.code_space.committed / 2 ** 20,
  external_mib: s.external / 2 ** 20,
});

const dir = path.join(root, 'herald');
fs.mkdirSync(dir);
await run(process.execPath, [CLI, 'cert', 'generate', DOMAIN, '--out', path.join(dir, 'certs')]);
const runIds = Array.from({ length: steps }, (_, i) => `m${i}${Date.now().toString(36)}`);
let server = await startHerald(dir, CLI);
for (const runId of runIds) await run(process.execPath, benchArgs(server, runId, 'register'), { maxBuffer: 64 * 2 ** 20 });
await server.stop();
server = await startHerald(dir, CLI, ['--import', PRELOAD, ...nodeArgs], { env });
const benches = [];
const rows = [];
try {
  await sleep(2000);
  const base = fdCount(server.pid);
  const fresh = await heapStats(server.pid, snapshotDir !== undefined);
  rows.push({ sessions: 0, rss_kib: rssKiB(server.pid), kinds: rssKinds(server.pid), stats: fresh });
  for (let i = 0; i < steps; i++) {
    const bench = spawn(process.execPath, benchArgs(server, runIds[i], 'measure'), { stdio: ['ignore', 'ignore', 'inherit'] });
    benches.push(bench);
    const held = await waitForSessions(server.pid, base, (i + 1) * step, bench);
    const rss = rssKiB(server.pid);
    rows.push({ sessions: held, rss_kib: rss, kinds: rssKinds(server.pid), stats: await heapStats(server.pid) });
    // The snapshot's own native memory would count in the next step's RSS: only after the last.
    if (snapshotDir && i === steps - 1) await heapStats(server.pid, true);
    process.stderr.write(`${held} sessions: RSS ${(rss / 1024).toFixed(1)} MiB\n`);
  }
} finally {
  for (const b of benches) b.kill('SIGTERM');
  await server.stop();
}

const out = rows.map((r, i) => {
  const prev = rows[i - 1];
  return {
    sessions: r.sessions,
    rss_mib: +(r.rss_kib / 1024).toFixed(1),
    kib_per_session_from_fresh: i === 0 ? null : +((r.rss_kib - rows[0].rss_kib) / r.sessions).toFixed(1),
    marginal_kib_per_session: i === 0 ? null : +((r.rss_kib - prev.rss_kib) / (r.sessions - prev.sessions)).toFixed(1),
    marginal_anon_kib_per_session: i === 0 ? null : +((r.kinds.anon_kib - prev.kinds.anon_kib) / (r.sessions - prev.sessions)).toFixed(1),
    marginal_heap_committed_kib_per_session: i === 0 ? null : +((r.stats[0].heap.total_physical_size - prev.stats[0].heap.total_physical_size) / 1024 / (r.sessions - prev.sessions)).toFixed(1),
    ...r.kinds,
    ...Object.fromEntries(r.stats.map((s) => [s.label, Object.fromEntries(Object.entries(summary(s)).map(([k, v]) => [k, +v.toFixed(1)]))])),
  };
});
console.log(JSON.stringify({ step, steps, nodeArgs, gcEachStep, rows: out }, null, 1));
fs.rmSync(root, { recursive: true, force: true });
