#!/usr/bin/env node
// `npm run bench:scale`: the scale scenario (src/bench/scenarios/scale.ts) against Herald, Prosody
// and ejabberd, next to the Node.js floor (scripts/bench/tls-floor.mjs). For each server:
// start it, register the accounts, stop it, start it again on the same data (so RSS per session
// is measured on a freshly started server), open N idle sessions, measure, stop. Usage:
//   node scripts/bench/scale.mjs [--clients N] [--repeat R] [--servers herald,prosody,ejabberd,floor]
//     [--json FILE] [herald bench options, e.g. --pairs 500 --rate 1000 --contacts 1000 --idle 30]
// Raises its own open-files limit first (prlimit; servers and bench inherit it) and says so.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../../dist/bench/percentiles.js';
import { formatNumber } from '../../dist/bench/report.js';
import { DOMAIN, ejabberdInstalled, prosodyInstalled, startEjabberd, startHerald, startProsody } from './servers.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../dist/cli/main.js');

function parseArgs(argv) {
  const opts = { clients: 5000, repeat: 1, servers: ['herald', 'prosody', 'ejabberd', 'floor'], json: undefined, pass: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--clients') opts.clients = Number(argv[++i]);
    else if (a === '--repeat') opts.repeat = Number(argv[++i]);
    else if (a === '--servers') opts.servers = argv[++i].split(',');
    else if (a === '--json') opts.json = argv[++i];
    else opts.pass.push(a);
  }
  return opts;
}

/** Sessions, the active pairs' and the fan-out's clients, and room for the servers' own files. */
function raiseOpenFiles(clients) {
  const want = 2 * clients + 20_000;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { stdio: 'pipe' });
    process.stderr.write(`open files: raised this process's limit to ${want} (prlimit); servers and bench inherit it\n`);
    return;
  } catch {
    // Raising the hard limit needs CAP_SYS_RESOURCE; containers often drop it.
  }
  const hard = execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--raw', '--noheadings', '--output', 'HARD'], { encoding: 'utf8' }).trim();
  execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`]);
  process.stderr.write(
    `open files: the hard limit is ${hard} and may not be raised here (no CAP_SYS_RESOURCE); soft limit set to it. ` +
      `Server and bench each need one per session plus ~2,100 for the active pairs and the fan-out.\n`,
  );
}

async function startFloor(dir, certDir) {
  const child = spawn(process.execPath, [path.join(here, 'tls-floor.mjs'), path.join(certDir, `${DOMAIN}.crt`), path.join(certDir, `${DOMAIN}.key`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]);
  const { port } = JSON.parse(line);
  return { name: 'floor', port, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))) };
}

async function bench(server, args, pass) {
  const jsonFile = path.join(os.tmpdir(), `herald-scale-${process.pid}-${Date.now()}.jsonl`);
  const all = [CLI, 'bench', '--port', String(server.port), '--domain', DOMAIN, '--server-pid', String(server.pid), '--label', server.name, '--scenario', 'scale', '--workers', '2', '--concurrency', '32', ...pass, ...args, '--json', jsonFile];
  try {
    const { stderr } = await run(process.execPath, all, { maxBuffer: 64 * 1024 * 1024, timeout: 4 * 3600_000 });
    if (stderr.trim()) process.stderr.write(stderr);
    return fs.readFileSync(jsonFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    fs.rmSync(jsonFile, { force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  raiseOpenFiles(opts.clients);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-scale-'));
  fs.chmodSync(root, 0o755);
  const certDir = path.join(root, 'certs');
  await run(process.execPath, [CLI, 'cert', 'generate', DOMAIN, '--out', certDir]);
  fs.chmodSync(path.join(certDir, `${DOMAIN}.key`), 0o644);
  const launchers = {
    herald: { ok: () => true, start: (dir) => startHerald(dir, CLI) },
    prosody: { ok: prosodyInstalled, start: (dir) => startProsody(dir, certDir) },
    // Erlang's default port table (65,536) is too small for 100,000 sessions.
    ejabberd: { ok: ejabberdInstalled, start: (dir) => startEjabberd(dir, certDir, { maxPorts: 2 * opts.clients + 20_000 }) },
    floor: { ok: () => true, start: () => startFloor(root, certDir) },
  };
  const lines = [];
  // Written as each phase ends, so a run cut short (a 100,000 round takes hours) keeps what it measured.
  const keep = (measured) => {
    lines.push(...measured);
    if (opts.json) fs.appendFileSync(opts.json, measured.map((l) => `${JSON.stringify(l)}\n`).join(''));
  };
  if (opts.json) fs.writeFileSync(opts.json, '');
  const notes = [];
  const clients = ['--clients', String(opts.clients)];
  for (const name of opts.servers) {
    const launcher = launchers[name];
    if (!launcher?.ok()) {
      notes.push(`${name}: not installed, skipped`);
      continue;
    }
    for (let round = 1; round <= opts.repeat; round++) {
      const dir = path.join(root, `${name}-${round}`);
      fs.mkdirSync(dir);
      const runId = `z${round}${Date.now().toString(36)}`;
      let server;
      try {
        if (name !== 'floor') {
          process.stderr.write(`${name}: round ${round}: registering ${opts.clients} accounts\n`);
          server = await launcher.start(dir);
          keep((await bench(server, [...clients, '--scale-phase', 'register', '--run-id', runId], opts.pass)).map((l) => ({ ...l, round })));
          await server.stop();
        }
        server = await launcher.start(dir);
        process.stderr.write(`${name}: round ${round}: pid ${server.pid}, ${opts.clients} sessions\n`);
        const phase = name === 'floor' ? 'tls' : 'measure';
        keep((await bench(server, [...clients, '--scale-phase', phase, '--run-id', runId], opts.pass)).map((l) => ({ ...l, round, server: name })));
      } catch (error) {
        notes.push(`${name}: ${error.message.split('\n').slice(0, 4).join(' ')} (log: ${path.join(dir, 'server.log')})`);
      } finally {
        await server?.stop();
      }
    }
  }
  console.log(renderTable(lines.filter((l) => l.scenario !== 'scale-register'), opts.servers));
  console.log(`\n${opts.clients} sessions, ${opts.repeat} round(s); median (min–max). ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.release()}`);
  for (const note of notes) console.log(`note: ${note}`);
  fs.rmSync(root, { recursive: true, force: true });
}

/** One row per metric, one column per server; the floor's row shows only what it measures. */
function renderTable(lines, servers) {
  const present = servers.filter((s) => lines.some((l) => l.server === s));
  const metrics = [];
  for (const l of lines) for (const m of Object.keys(l.metrics)) if (!metrics.includes(m)) metrics.push(m);
  const cell = (values) => (values.length === 0 ? '–' : values.length === 1 ? formatNumber(values[0]) : `${formatNumber(median(values))} (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`);
  const rows = metrics.map((m) => [m, ...present.map((s) => cell(lines.filter((l) => l.server === s && m in l.metrics).map((l) => l.metrics[m])))]);
  const header = ['metric', ...present];
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

await main();
