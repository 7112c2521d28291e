#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per bucket (XML parse, routing,
// serialise, TLS, socket writes, SQLite, GC, …) and the top self-time functions.
// Usage: node scripts/bench/cpuprofile-summary.mjs FILE.cpuprofile [--top N] [--windows FILE.jsonl]
//   [--scenario NAME]. With --windows (herald bench --json output), only samples inside the
//   scenarios' measured windows count (registration, logins before sending, logout left out).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

// First match wins; tested against "url functionName".
const BUCKETS = [
  ['GC', /^ \(garbage collector\)$/],
  ['idle', /^ \(idle\)$/],
  ['native, outside JS (TLS record decrypt on read, libuv, epoll)', /^ \(program\)$/],
  ['XML parse', /\/(src|dist)\/xml\/(stream-parser|xml-scanner|utf8-input|markup-unit|entity-ref|xml-chars|xml-declaration|element-builder)|\/ltx\/lib\/parsers\/|\/ltx\/lib\/(Parser|parse)\.js/],
  ['serialise', /\/ltx\/lib\/(Element|escape|stringify|clone)\.js|\/@xmpp\/xml\//],
  ['SQLite', /better-sqlite3|\/(src|dist)\/storage\/sqlite\//],
  ['SASL / SCRAM / TLS setup (JS and crypto calls)', /\/(src|dist)\/(c2s\/sasl|auth)\/|node:internal\/crypto|node:crypto|node:_tls|node:tls|node:internal\/tls/],
  ['socket writes (TLS encrypt runs inside them)', / (writeUtf8String|writeLatin1String|writeBuffer|writev|writeGeneric|writevGeneric)$|node:internal\/stream_base_commons|node:net/],
  ['stream / connection (src/stream, c2s)', /\/(src|dist)\/(stream|c2s|net)\//],
  ['routing / modules / core', /\/(src|dist)\/(core|modules|protocol|util|xml)\//],
  ['logging (pino)', /\/pino|sonic-boom/],
  ['node streams, events, timers', /node:internal\/(streams|events|timers|process)|node:events|node:stream/],
  ['bench (when profiled in-process)', /\/(src|dist)\/bench\//],
];

/** windows: [[fromUs, toUs], …] on the profile's clock (CLOCK_MONOTONIC); none = everything. */
export function summarise(profile, windows = []) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id → µs
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    if (windows.length && !windows.some(([from, to]) => at >= from && at <= to)) continue;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0));
  }
  const fns = new Map(); // "function file:line" → µs
  const buckets = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
    const tag = `${url} ${functionName}`;
    const bucket = BUCKETS.find(([, re]) => re.test(tag))?.[0] ?? 'other';
    total += us;
    if (bucket === 'idle') idle += us;
    fns.set(key, (fns.get(key) ?? 0) + us);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
  }
  const busy = total - idle;
  const sorted = (m) => [...m].filter(([k]) => k !== 'idle' && !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, busyMs: busy / 1000, buckets: sorted(buckets).map(([k, us]) => [k, us / busy]), functions: sorted(fns).map(([k, us]) => [k, us / busy]) };
}

function main() {
  const args = process.argv.slice(2);
  const file = args[0];
  if (!file || file.startsWith('--')) throw new Error('usage: cpuprofile-summary.mjs FILE.cpuprofile [--top N]');
  const value = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const top = Number(value('--top') ?? 25);
  const lines = value('--windows') ? fs.readFileSync(value('--windows'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  const windows = lines.filter((l) => l.window_us && (!value('--scenario') || l.scenario === value('--scenario'))).map((l) => l.window_us);
  if (value('--windows') && windows.length === 0) throw new Error('no measured window found (was the bench given --server-pid?)');
  const s = summarise(JSON.parse(fs.readFileSync(file, 'utf8')), windows);
  const pct = (f) => `${(f * 100).toFixed(1)} %`;
  console.log(`busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s sampled; shares of busy time\n`);
  console.log('| bucket | self time |\n| --- | --- |');
  for (const [k, f] of s.buckets) console.log(`| ${k} | ${pct(f)} |`);
  console.log(`\n| top ${top} functions (self time) | share |\n| --- | --- |`);
  for (const [k, f] of s.functions.slice(0, top)) console.log(`| \`${k}\` | ${pct(f)} |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
