#!/usr/bin/env node
// What archiving costs the message path, as issue 15 measures it: server CPU per message in the
// throughput scenario with the archive off and on, rounds interleaved (off, on, off, on …) so that
// a change in the machine's load hits both alike; a fresh Herald (fresh data folder) per round.
// `--variant label:CLI:on|off` (repeatable) compares builds too, e.g. a build of main beside this
// one. Prints every round and the medians; `--json FILE` keeps the bench lines. Usage:
//   node scripts/bench/mam-cost.mjs [--rounds 5] [--variant off:dist/cli/main.js:off …] [herald bench options]
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
const take = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const rounds = Number(take('--rounds', '5'));
const json = take('--json', undefined);
const variants = [];
for (let spec = take('--variant'); spec; spec = take('--variant')) {
  const [label, cli, mam] = spec.split(':');
  variants.push({ label, cli: path.resolve(cli), mam: mam === 'on' });
}
if (variants.length === 0) variants.push({ label: 'archive off', cli: CLI, mam: false }, { label: 'archive on', cli: CLI, mam: true });
const benchArgs = args.includes('--scenario') ? args : ['--scenario', 'throughput', ...args];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-mam-cost-'));
const results = new Map(variants.map((v) => [v.label, []]));
try {
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const dir = path.join(root, `${round}-${variants.indexOf(variant)}`);
      fs.mkdirSync(dir);
      await run(process.execPath, [variant.cli, 'cert', 'generate', DOMAIN, '--out', path.join(dir, 'certs')]);
      const server = await startHerald(dir, variant.cli, [], { modules: [`mam: { enabled: ${variant.mam} }`] });
      const lines = path.join(dir, 'bench.jsonl');
      try {
        await run(process.execPath, [CLI, 'bench', '--port', String(server.port), '--domain', DOMAIN, '--server-pid', String(server.pid), '--json', lines, ...benchArgs], { maxBuffer: 64 << 20 });
      } finally {
        await server.stop();
      }
      for (const line of fs.readFileSync(lines, 'utf8').trim().split('\n').map((l) => JSON.parse(l))) {
        results.get(variant.label).push(line);
        if (json) fs.appendFileSync(json, JSON.stringify({ ...line, server: variant.label, round }) + '\n');
        console.error(`round ${round} ${variant.label} ${line.scenario}: ${line.metrics.server_cpu_us_per_msg?.toFixed(1)} µs/msg, ${Math.round(line.metrics.msgs_per_s)} msgs/s, lost ${line.metrics.lost}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const first = variants[0].label;
for (const scenario of new Set([...results.values()].flat().map((l) => l.scenario))) {
  const cpu = (label) => results.get(label).filter((l) => l.scenario === scenario).map((l) => l.metrics.server_cpu_us_per_msg);
  const base = median(cpu(first));
  console.log(`\n${scenario}, ${rounds} interleaved rounds, median (rounds); ratio to "${first}"\n`);
  console.log('| variant | server CPU µs/msg | rounds | msgs/s (median) | ratio |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const { label } of variants) {
    const rate = median(results.get(label).filter((l) => l.scenario === scenario).map((l) => l.metrics.msgs_per_s));
    console.log(`| ${label} | ${median(cpu(label)).toFixed(1)} | ${cpu(label).map((x) => x.toFixed(1)).join(', ')} | ${Math.round(rate)} | ${(median(cpu(label)) / base).toFixed(2)} |`);
  }
}
