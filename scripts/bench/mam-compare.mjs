// `npm run bench -- --mam [messages]`: the message archive side by side. For each server:
// (1) CPU per message in the throughput scenario without and with its archive (the difference is
// what archiving one message costs), (2) the archive filled to `messages` (mam-archives.mjs), then
// the latest page, the latest page with one contact and the page before the middle message, each
// timed over XMPP. Lines come back in run.mjs's format, so its table shows them side by side.
import fs from 'node:fs';
import path from 'node:path';
import { BenchClient } from '../../dist/bench/bench-client.js';
import { DOMAIN, startEjabberd, startHerald, startProsody } from './servers.mjs';
import { FRIEND, OWNER, PASSWORD, archiveQueries, fillHerald, fillProsody, fillThroughServer, timeQueries } from './mam-archives.mjs';

const QUERY_RUNS = 21;

async function register(port, names) {
  for (const name of names) {
    const client = await BenchClient.connect({ host: '127.0.0.1', port, domain: DOMAIN });
    try {
      await client.register(name, PASSWORD);
    } finally {
      await client.close();
    }
  }
}

const launch = {
  herald: (dir, ctx, mam) => startHerald(dir, ctx.cli, [], { modules: mam ? [] : ['mam: { enabled: false }'] }),
  prosody: (dir, ctx, mam) => startProsody(dir, ctx.certDir, { mam }),
  ejabberd: (dir, ctx, mam) => startEjabberd(dir, ctx.certDir, { mam }),
};

async function withServer(name, dir, ctx, mam, work) {
  fs.mkdirSync(dir, { recursive: true });
  const server = await launch[name](dir, ctx, mam);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

/** Fills the archive by the server's own means; resolves with the fill line and the middle id. */
async function fillArchive(name, dir, ctx) {
  const started = Date.now();
  const line = (messages, seconds, note) => ({ server: name, scenario: 'mam-fill', metrics: { messages, seconds, per_s: messages / seconds }, ...(note ? { note } : {}) });
  if (name === 'herald') {
    const middle = fillHerald(path.join(dir, 'data'), ctx.messages);
    return { middle, line: line(ctx.messages, (Date.now() - started) / 1000, 'SQL inserts into herald-archive.sqlite') };
  }
  if (name === 'prosody') {
    // A first start creates mod_storage_sql's tables; the owner registers then.
    await withServer(name, dir, ctx, true, (server) => register(server.port, [OWNER]));
    const middle = fillProsody(path.join(dir, 'data', 'prosody.sqlite'), ctx.messages);
    return { middle, line: line(ctx.messages, (Date.now() - started) / 1000, 'SQL inserts into prosodyarchive (mod_storage_sql, SQLite)') };
  }
  return undefined; // ejabberd: filled while it runs
}

async function archiveRound(name, ctx) {
  const dir = path.join(ctx.root, `${name}-mam-archive`);
  fs.mkdirSync(dir, { recursive: true });
  const lines = [];
  const filled = await fillArchive(name, dir, ctx);
  await withServer(name, dir, ctx, true, async (server) => {
    const target = { host: '127.0.0.1', port: server.port, domain: DOMAIN };
    let middle = filled?.middle;
    if (filled) lines.push(filled.line);
    if (name === 'herald') await register(server.port, [OWNER]);
    if (name === 'ejabberd') {
      await register(server.port, [OWNER, FRIEND]);
      const through = await fillThroughServer(target, ctx.messages, ctx.budgetS, ctx.log);
      middle = through.middle;
      const note = through.archived < ctx.messages ? `Mnesia: stopped after ${ctx.budgetS} s (--mam-budget)` : 'sent through ejabberd';
      lines.push({ server: name, scenario: 'mam-fill', metrics: { messages: through.archived, seconds: through.seconds, per_s: through.archived / through.seconds }, note });
    }
    const timed = await timeQueries(target, archiveQueries(middle), QUERY_RUNS);
    for (const [scenario, metrics] of Object.entries(timed)) lines.push({ server: name, scenario, metrics });
  });
  return lines;
}

/** CPU per message in the throughput scenario, without and with the archive, `repeat` rounds each. */
async function costRounds(name, ctx) {
  const lines = [];
  for (const mam of [false, true]) {
    const dir = path.join(ctx.root, `${name}-mam-${mam ? 'on' : 'off'}`);
    await withServer(name, dir, ctx, mam, async (server) => {
      for (let round = 1; round <= ctx.repeat; round++) {
        ctx.log(`${name}: throughput ${mam ? 'with' : 'without'} archive, round ${round}/${ctx.repeat}`);
        const result = await ctx.benchRound(server, ['--scenario', 'throughput']);
        lines.push(...result.map((l) => ({ ...l, server: name, scenario: mam ? 'throughput+mam' : 'throughput-mam', round })));
      }
    });
  }
  return lines;
}

/** ctx: { root, cli, certDir, servers, messages, budgetS, repeat, benchRound(server, args), log } */
export async function mamComparison(ctx) {
  const lines = [];
  const notes = [];
  for (const name of ctx.servers) {
    try {
      lines.push(...(await costRounds(name, ctx)));
      lines.push(...(await archiveRound(name, ctx)));
    } catch (error) {
      notes.push(`${name} (mam): ${error.message.split('\n').slice(0, 3).join(' ')}`);
    }
  }
  for (const line of lines) if (line.note) notes.push(`${line.server} ${line.scenario}: ${line.note}`);
  return { lines, notes };
}

/** Archiving's CPU per message: median with minus median without, per server. */
export function archiveCostTable(lines, servers, median) {
  const cpu = (server, scenario) => median(lines.filter((l) => l.server === server && l.scenario === scenario).map((l) => l.metrics.server_cpu_us_per_msg));
  const rows = servers
    .filter((s) => lines.some((l) => l.server === s && l.scenario === 'throughput+mam'))
    .map((s) => {
      const off = cpu(s, 'throughput-mam');
      const on = cpu(s, 'throughput+mam');
      return `| ${s} | ${off.toFixed(1)} | ${on.toFixed(1)} | ${(on - off).toFixed(1)} | ${(((on - off) / off) * 100).toFixed(0)} % |`;
    });
  return ['| server | CPU µs/msg without archive | with archive | archiving costs | increase |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
