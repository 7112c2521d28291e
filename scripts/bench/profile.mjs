#!/usr/bin/env node
// Profiles Herald's hot paths: starts Herald as `npm run bench` does (temp data, own port, rate
// limits off) but under `node --cpu-prof`, runs `herald bench` against it, stops it gracefully
// (the profile is written at exit) and prints a summary per scenario, counting only samples in
// that scenario's measured window. Usage:
//   node scripts/bench/profile.mjs [--out FILE.cpuprofile] [--interval µs] [--herald-module 'mam: {}' …] [herald bench options]
// --interval: V8's sampling interval (default 1000 µs); finer for short paths such as one login.
// Default scenarios: throughput, fixed-rate, login.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DOMAIN, startHerald } from './servers.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../dist/cli/main.js');

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : 'herald.cpuprofile';
const intervalAt = args.indexOf('--interval');
const interval = intervalAt >= 0 ? args.splice(intervalAt, 2)[1] : undefined;
const modules = [];
for (let at = args.indexOf('--herald-module'); at >= 0; at = args.indexOf('--herald-module')) modules.push(args.splice(at, 2)[1]);
const pass = args.includes('--scenario') ? args : ['--scenario', 'throughput', '--scenario', 'fixed-rate', '--scenario', 'login', ...args];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-profile-'));
const dir = path.join(root, 'herald');
fs.mkdirSync(dir);
await run(process.execPath, [CLI, 'cert', 'generate', DOMAIN, '--out', path.join(dir, 'certs')]);
const profDir = path.join(root, 'prof');
const jsonl = out.replace(/\.cpuprofile$/, '') + '.jsonl';
fs.rmSync(jsonl, { force: true });
const server = await startHerald(dir, CLI, ['--cpu-prof', '--cpu-prof-dir', profDir, ...(interval ? ['--cpu-prof-interval', interval] : [])], { modules });
try {
  const benchArgs = [CLI, 'bench', '--port', String(server.port), '--domain', DOMAIN, '--server-pid', String(server.pid), '--json', jsonl, ...pass];
  const bench = await run(process.execPath, benchArgs, { maxBuffer: 64 << 20 });
  process.stderr.write(bench.stdout);
} finally {
  await server.stop();
}
// One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>): the event loop is thread 0;
// worker threads (the SQLite checkpoint worker) write their own.
const written = fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
if (written.length !== 1) throw new Error(`expected one main-thread profile in ${profDir}, found ${written.length}`);
fs.copyFileSync(path.join(profDir, written[0]), out);
fs.rmSync(root, { recursive: true, force: true });
console.log(`profile: ${out}, bench results and windows: ${jsonl}`);
for (const scenario of new Set(fs.readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l).scenario))) {
  const summary = await run(process.execPath, [path.join(here, 'cpuprofile-summary.mjs'), out, '--windows', jsonl, '--scenario', scenario, '--top', '15']);
  console.log(`\n## ${scenario}\n\n${summary.stdout}`);
}
