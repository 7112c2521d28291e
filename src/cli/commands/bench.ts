// `herald bench`: a load generator that can be pointed at any XMPP server (see docs/benchmarks.md).
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { EXPLICIT_SCENARIOS, SCENARIOS, runScenario, type ScenarioName } from '../../bench/run.js';
import { formatTable, jsonLine } from '../../bench/report.js';
import { ScenarioUnsupported, type AccountSource, type BenchContext } from '../../bench/types.js';

interface BenchOptions {
  host: string;
  port: string;
  domain: string;
  scenario: string[];
  clients: string;
  concurrency: string;
  pairs: string;
  window: string;
  duration: string;
  rate: string;
  warmup: string;
  sm?: boolean;
  messages: string;
  contacts: string;
  rounds: string;
  occupants: string;
  pepRequests: string;
  serverPid?: string;
  nodePid: string[];
  receiverPort: string[];
  register?: boolean;
  provision?: string;
  password: string;
  json?: string;
  workers: string;
  label?: string;
  scalePhase: string;
  idle: string;
  runId?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('load-test an XMPP server (any server: STARTTLS, SCRAM-SHA-1, XEP-0077 or a provisioning command)')
    .option('--host <host>', 'server address', '127.0.0.1')
    .option('--port <port>', 'c2s port (STARTTLS)', '5222')
    .option('--domain <domain>', 'XMPP domain', 'localhost')
    .option('--scenario <name>', `scenario to run, repeatable: ${SCENARIOS.join(', ')} (default: all), or ${EXPLICIT_SCENARIOS.join(', ')}`, collect, [])
    .option('--clients <n>', 'login: clients', '200')
    .option('--concurrency <n>', 'login: logins in flight', '16')
    .option('--pairs <k>', 'throughput, fixed-rate: sender/receiver pairs', '20')
    .option('--window <w>', 'throughput: messages in flight per sender', '10')
    .option('--duration <s>', 'throughput, latency, fixed-rate: seconds of sending', '10')
    .option('--rate <r>', 'fixed-rate: messages per second offered', '1000')
    .option('--warmup <s>', 'fixed-rate: seconds of sending at the rate before measuring (JIT and caches warm)', '2')
    .option('--sm', 'fixed-rate: clients enable XEP-0198 stream management and answer <r/>, as real clients do')
    .option('--messages <m>', 'offline: messages stored', '10000')
    .option('--contacts <n>', 'fanout, pep: roster size', '200')
    .option('--rounds <n>', 'fanout: presence changes; pep: publishes fanned out; room: messages per room size', '20')
    .option('--occupants <list>', 'room: room sizes, comma-separated (e.g. 100,1000)', '100')
    .option('--pep-requests <n>', 'pep: publishes, and fetches, for the rates', '2000')
    .option('--server-pid <pid>', 'server process to read CPU and memory of (same machine)')
    .option('--receiver-port <port>', 'fixed-rate: receivers log in here instead (repeatable: spread over them), e.g. other cluster nodes', collect, [])
    .option('--node-pid <pid>', 'another cluster node to read CPU of, per message (repeatable)', collect, [])
    .option('--register', 'create users in-band (XEP-0077) (the default)')
    .option('--provision <template>', "create users with a command, e.g. 'prosodyctl register {user} {domain} {password}'")
    .option('--password <p>', 'password of every bench user', 'bench-secret-1')
    .option('--json <file>', 'also append one JSON line per scenario to this file')
    .option('--workers <n>', 'worker threads for the message scenarios (0: none)', '0')
    .option('--label <name>', 'server name written into the JSON lines')
    .option('--scale-phase <phase>', 'scale: all, register (accounts only), measure (existing accounts of --run-id), tls (STARTTLS only)', 'all')
    .option('--idle <s>', 'scale: seconds the idle server CPU is watched', '20')
    .option('--run-id <id>', 'prefix of user names (default: random), e.g. to measure accounts an earlier run registered')
    .action(async (options: BenchOptions) => {
      if (options.register && options.provision) throw new CliError('--register and --provision exclude each other');
      const scenarios = (options.scenario.length ? options.scenario : [...SCENARIOS]) as ScenarioName[];
      const known: readonly string[] = [...SCENARIOS, ...EXPLICIT_SCENARIOS];
      for (const s of scenarios) if (!known.includes(s)) throw new CliError(`unknown scenario '${s}' (known: ${known.join(', ')})`);
      const phases = ['all', 'register', 'measure', 'tls'] as const;
      const scalePhase = phases.find((p) => p === options.scalePhase);
      if (!scalePhase) throw new CliError(`--scale-phase: expected one of ${phases.join(', ')}, found '${options.scalePhase}'`);
      if (options.runId !== undefined && !/^[a-z0-9]+$/.test(options.runId)) throw new CliError(`--run-id: expected lower-case letters and digits, found '${options.runId}'`);
      const accounts: AccountSource = options.provision ? { kind: 'provision', template: options.provision } : { kind: 'register' };
      const ctx: BenchContext = {
        target: { host: options.host, port: positive(options.port, '--port'), domain: options.domain },
        accounts,
        runId: options.runId ?? `b${randomBytes(3).toString('hex')}`,
        password: options.password,
        workers: positive(options.workers, '--workers', true),
        log: (line) => process.stderr.write(`${line}\n`),
      };
      if (options.serverPid !== undefined) ctx.serverPid = positive(options.serverPid, '--server-pid');
      if (options.nodePid.length > 0) ctx.otherServerPids = options.nodePid.map((p) => positive(p, '--node-pid'));
      if (options.receiverPort.length > 0) ctx.receiverTargets = options.receiverPort.map((p) => ({ ...ctx.target, port: positive(p, '--receiver-port') }));
      const sizes = {
        clients: positive(options.clients, '--clients'),
        concurrency: positive(options.concurrency, '--concurrency'),
        pairs: positive(options.pairs, '--pairs'),
        window: positive(options.window, '--window'),
        durationS: positive(options.duration, '--duration'),
        rate: positive(options.rate, '--rate'),
        warmupS: positive(options.warmup, '--warmup', true),
        sm: options.sm === true,
        offlineMessages: positive(options.messages, '--messages'),
        contacts: positive(options.contacts, '--contacts'),
        rounds: positive(options.rounds, '--rounds'),
        pepRequests: positive(options.pepRequests, '--pep-requests'),
        occupants: options.occupants.split(',').map((n) => Math.round(positive(n, '--occupants'))),
        scalePhase,
        idleS: positive(options.idle, '--idle', true),
      };
      const extra = options.label ? { server: options.label } : {};
      for (const name of scenarios) {
        let result;
        try {
          result = await runScenario(ctx, name, sizes);
        } catch (error) {
          if (!(error instanceof ScenarioUnsupported)) throw error;
          console.log(`${name}: skipped: ${error.message}\n`);
          continue;
        }
        const line = jsonLine(result, extra);
        console.log(`${formatTable(result)}\n${line}\n`);
        if (options.json) fs.appendFileSync(options.json, `${line}\n`);
      }
    });
}

function positive(text: string, what: string, zeroOk = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < (zeroOk ? 0 : 0.001)) throw new CliError(`${what}: expected a positive number, found '${text}'`);
  return n;
}
