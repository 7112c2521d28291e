// Reads what `cluster.mjs --stalls DIR` recorded and says where the latency tail comes from:
// per round, the p50/p99 of the messages, and for each process (nodes, load generator) its
// event-loop stalls and GC pauses in the sending window; then, for the slowest 1 % of messages,
// which process had a stall or a GC overlapping the message's flight.
// Usage: node scripts/bench/stall-report.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: stall-report.mjs DIR');

const readLines = (file) => fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const sum = (list) => list.reduce((a, b) => a + b, 0);
const fmt = (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(2)) : '–');

/** Every process's records: { name, stalls: [[at, ms]], gcs: [[at, ms, kind]], elu: [[at, u]] }. */
function processes() {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl') && !f.startsWith('latency-'))
    .map((f) => {
      const lines = readLines(path.join(dir, f));
      return { name: f.replace(/\.jsonl$/, ''), stalls: lines.flatMap((l) => l.stalls), gcs: lines.flatMap((l) => l.gcs), elu: lines.map((l) => [l.at, l.elu]) };
    });
}

const all = processes();
for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('latency-')).sort()) {
  const label = file.replace(/^latency-|\.jsonl$/g, '');
  const nodesOf = label.match(/^(\d+)n-/)[1];
  const messages = readLines(path.join(dir, file));
  const from = Math.min(...messages.map((m) => m[0]));
  const to = Math.max(...messages.map((m) => m[0] + m[1]));
  const sorted = messages.map((m) => m[1]).sort((a, b) => a - b);
  const p99 = quantile(sorted, 0.99);
  console.log(`\n## ${label}: ${messages.length} messages, p50 ${fmt(quantile(sorted, 0.5))} ms, p99 ${fmt(p99)} ms, max ${fmt(sorted.at(-1))} ms`);
  const mine = all.filter((p) => p.name === `gen-${label}` || p.name.endsWith(`-of-${nodesOf}`));
  console.log('| process | stalls > 2 ms | stall ms (sum, max) | GCs | GC ms (sum, max) | mark-compact | ELU |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const p of mine) {
    const stalls = p.stalls.filter(([at]) => at >= from && at <= to);
    const gcs = p.gcs.filter(([at]) => at >= from && at <= to);
    const elu = p.elu.filter(([at]) => at >= from && at <= to + 1000).map(([, u]) => u);
    console.log(
      `| ${p.name} | ${stalls.length} | ${fmt(sum(stalls.map((s) => s[1])))}, ${fmt(Math.max(0, ...stalls.map((s) => s[1])))} | ${gcs.length} | ${fmt(sum(gcs.map((g) => g[1])))}, ${fmt(Math.max(0, ...gcs.map((g) => g[1])))} | ${gcs.filter((g) => g[2] === 'mark-compact').length} | ${fmt(sum(elu) / Math.max(1, elu.length))} |`,
    );
  }
  // The slow messages: which process's stall (the probe's late interval [at, at+ms]) or GC overlapped the flight.
  const slow = messages.filter((m) => m[1] >= p99);
  const blame = new Map();
  let unexplained = 0;
  for (const [sent, latency] of slow) {
    const end = sent + latency;
    const hits = [];
    for (const p of mine) {
      const stall = p.stalls.find(([at, ms]) => at < end && at + ms > sent && ms >= 1);
      const gc = p.gcs.find(([at, ms]) => at < end && at + ms > sent && ms >= 1);
      if (stall) hits.push(`${p.name} stall`);
      if (gc) hits.push(`${p.name} GC ${gc[2]}`);
    }
    if (hits.length === 0) unexplained++;
    for (const h of hits) blame.set(h, (blame.get(h) ?? 0) + 1);
  }
  console.log(`slowest ${slow.length} (≥ p99): overlapped by ${[...blame].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing'}; nothing recorded for ${unexplained}`);
}
