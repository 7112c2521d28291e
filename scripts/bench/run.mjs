#!/usr/bin/env node
// `npm run bench`: Herald, then Prosody and ejabberd when installed, each started by hand with
// its own config and data, the same scenarios against each, several rounds; prints medians,
// min–max, and Herald/peer ratios. Usage:
//   npm run bench -- [--repeat N] [--servers herald,prosody,ejabberd] [--json FILE]
//     [--herald-module 'mam: { enabled: false }' …] [--mam [MESSAGES] [--mam-budget S] [--mam-only]]
//     [herald bench options]
// --mam adds the message archive comparison (scripts/bench/mam-compare.mjs; default 1,000,000
// messages; ejabberd's fill stops after --mam-budget seconds, default 600).
// --cluster [--cluster-only] adds 1, 2 and 3 Herald nodes on one Redis and one PostgreSQL
// (scripts/bench/cluster.mjs: fixed rate 1,000 msg/s, CPU per node per message, Redis calls).
// --servers may name `relay` (scripts/bench/tls-relay.mjs, the throughput floor of a Node server).
// --interleave starts every server first and runs round r of each before round r+1 of any.
// --herald-build NAME=PATH/dist/cli/main.js adds a server NAME: Herald from another build (A/B).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../../dist/bench/percentiles.js';
import { renderTable } from './table.mjs';
import { DOMAIN, ejabberdInstalled, prosodyInstalled, startEjabberd, startHerald, startProsody, startRelay } from './servers.mjs';
import { archiveCostTable, mamComparison } from './mam-compare.mjs';
import { clusterBench, clusterTable, parseClusterArgs } from './cluster.mjs';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

// Defaults sized for a 2-core machine in a few minutes; override with herald bench options.
const DEFAULT_SIZES = ['--clients', '200', '--pairs', '10', '--window', '10', '--duration', '5', '--rate', '1000', '--messages', '10000', '--contacts', '200', '--rounds', '10'];

function parseArgs(argv) {
  const opts = { repeat: 3, servers: ['herald', 'prosody', 'ejabberd'], json: undefined, heraldModules: [], mam: 0, mamBudget: 600, mamOnly: false, heraldBuilds: [], pass: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeat') opts.repeat = Number(argv[++i]);
    else if (a === '--servers') opts.servers = argv[++i].split(',');
    else if (a === '--json') opts.json = argv[++i];
    else if (a === '--herald-module') opts.heraldModules.push(argv[++i]);
    else if (a === '--mam') opts.mam = /^\d+$/.test(argv[i + 1] ?? '') ? Number(argv[++i]) : 1_000_000;
    else if (a === '--mam-budget') opts.mamBudget = Number(argv[++i]);
    else if (a === '--mam-only') opts.mamOnly = true;
    else if (a === '--cluster') opts.cluster = true;
    else if (a === '--interleave') opts.interleave = true;
    else if (a === '--herald-build') opts.heraldBuilds.push(argv[++i].split('='));
    else if (a === '--cluster-only') opts.cluster = opts.clusterOnly = true;
    else opts.pass.push(a);
  }
  return opts;
}

async function benchRound(server, pass) {
  const args = [CLI, 'bench', '--port', String(server.port), '--domain', DOMAIN, '--server-pid', String(server.pid), '--label', server.name, ...DEFAULT_SIZES, ...pass];
  const jsonFile = path.join(os.tmpdir(), `herald-bench-${process.pid}-${Date.now()}.jsonl`);
  args.push('--json', jsonFile);
  try {
    const { stderr } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 });
    if (stderr) process.stderr.write(stderr.split('\n').filter(Boolean).map((l) => `${server.name}: ${l}\n`).join(''));
    return fs.readFileSync(jsonFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    fs.rmSync(jsonFile, { force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  fs.chmodSync(root, 0o755);
  const certDir = path.join(root, 'certs');
  await run(process.execPath, [CLI, 'cert', 'generate', DOMAIN, '--out', certDir]);
  fs.chmodSync(path.join(certDir, `${DOMAIN}.key`), 0o644); // read by the peers' own users

  const launchers = {
    herald: { ok: () => true, start: (dir) => startHerald(dir, CLI, [], { modules: opts.heraldModules }) },
    prosody: { ok: prosodyInstalled, start: (dir) => startProsody(dir, certDir) },
    ejabberd: { ok: ejabberdInstalled, start: (dir) => startEjabberd(dir, certDir) },
    relay: { ok: () => true, start: (dir) => startRelay(dir, certDir) }, // the floor: scripts/bench/tls-relay.mjs
  };
  // --herald-build NAME=dist/cli/main.js of another build: A/B of a change in one run.
  for (const [name, cli] of opts.heraldBuilds) launchers[name] = { ok: () => true, start: async (dir) => ({ ...(await startHerald(dir, path.resolve(cli), [], { modules: opts.heraldModules })), name }) };
  const lines = []; // every JSON line of every round
  const notes = [];
  const started = []; // [name, server] of the servers running
  const startServer = async (name) => {
    const launcher = launchers[name];
    if (!launcher) throw new Error(`unknown server ${name}`);
    if (!launcher.ok()) return void notes.push(`${name}: not installed, skipped`);
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    try {
      const server = await launcher.start(dir);
      process.stderr.write(`${name}: pid ${server.pid}, port ${server.port}\n`);
      started.push([name, server]);
      return server;
    } catch (error) {
      notes.push(`${name}: ${error.message.split('\n').slice(0, 3).join(' ')} (log: ${path.join(dir, 'server.log')})`);
    }
  };
  const benchRounds = async (name, server, rounds) => {
    for (const round of rounds) {
      process.stderr.write(`${name}: round ${round}/${opts.repeat}\n`);
      try {
        lines.push(...(await benchRound(server, opts.pass)).map((l) => ({ ...l, round })));
      } catch (error) {
        notes.push(`${name} round ${round}: ${error.message.split('\n').slice(0, 3).join(' ')}`);
      }
    }
  };
  const names = opts.mamOnly || opts.clusterOnly ? [] : opts.servers;
  const allRounds = Array.from({ length: opts.repeat }, (_, i) => i + 1);
  try {
    if (opts.interleave) {
      // All servers up at once, round r of each before round r+1 of any: a load that comes and
      // goes on a shared machine then falls on every server alike.
      for (const name of names) await startServer(name);
      for (const round of allRounds) for (const [name, server] of started) await benchRounds(name, server, [round]);
    } else {
      for (const name of names) {
        const server = await startServer(name);
        if (server) await benchRounds(name, server, allRounds);
        await started.pop()?.[1].stop();
      }
    }
  } finally {
    for (const [, server] of started) await server.stop();
  }
  let mamTable = '';
  if (opts.mam > 0) {
    const servers = opts.servers.filter((name) => launchers[name]?.ok());
    const log = (text) => process.stderr.write(`${text}\n`);
    const mam = await mamComparison({ root, cli: CLI, certDir, servers, messages: opts.mam, budgetS: opts.mamBudget, repeat: opts.repeat, benchRound: (server, args) => benchRound(server, [...opts.pass, ...args]), log });
    lines.push(...mam.lines);
    notes.push(...mam.notes);
    mamTable = `\n\n${archiveCostTable(mam.lines, servers, median)}`;
  }
  if (opts.cluster) {
    const clusterOpts = parseClusterArgs(['--repeat', String(opts.repeat)]);
    mamTable += `\n\n${clusterTable(await clusterBench(clusterOpts), clusterOpts)}`;
  }
  if (opts.json) fs.writeFileSync(opts.json, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  console.log(renderTable(lines, opts.servers) + mamTable);
  console.log(`\n${opts.repeat} round(s); median (min–max); ratio = Herald / peer. ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, ${os.release()}`);
  for (const note of notes) console.log(`note: ${note}`);
  fs.rmSync(root, { recursive: true, force: true });
}

await main();
