#!/usr/bin/env node
// `npm run soak`: a bounded mixed load against a real Herald process on loopback for N minutes, for
// humans and before releases (not part of `npm test`; test/protocol/soak-smoke.test.ts runs a tiny one).
// Well-behaved users log in and out, chat in pairs and receive messages sent while they were offline;
// misbehaving ones never read, never acknowledge (XEP-0198), flood presence and IQs, or crawl through
// the handshake. The server's RSS and heap are sampled throughout; after the load stops and a settle
// period, memory must come back near its idle baseline (see memory.mjs), and no chat or offline
// message may be lost. Exit code 0: all held; 1: something did not (the reasons are printed).
// Usage: npm run soak -- [--minutes 2] [--pairs 5] [--churn-users 10] [--offline-users 5]
//   [--flood-messages 2000] [--loris 10] [--settle-seconds 15] [--sample-seconds 5] [--json FILE]
//   [--skip never-reader,sm-no-ack,flooder,loris,churn,offline] (to find which load does what)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAccounts, usernames } from '../../dist/bench/accounts.js';
import { DOMAIN } from '../bench/servers.mjs';
import { churnRound, connectAndLogin, offlineRound, sleep, startChat, untilDeadline } from './load.mjs';
import { flooderRound, neverReaderRound, slowLoris, smNoAckRound } from './misbehaving.mjs';
import { mib, sample, table, verdict, HEAP_GROWTH, HEAP_SLACK_BYTES } from './memory.mjs';
import { RESUME_TIMEOUT_SECONDS, startSoakServer } from './server.mjs';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
const PASSWORD = 'soak-password';
const SKIPPABLE = ['churn', 'offline', 'never-reader', 'sm-no-ack', 'flooder', 'loris'];

function parseArgs(argv) {
  const opts = { minutes: 2, pairs: 5, churnUsers: 10, offlineUsers: 5, floodMessages: 2000, loris: 10, settleSeconds: 15, sampleSeconds: 5, chatRate: 20, offlineBatch: 50, json: undefined, skip: new Set() };
  const names = { '--minutes': 'minutes', '--pairs': 'pairs', '--churn-users': 'churnUsers', '--offline-users': 'offlineUsers', '--flood-messages': 'floodMessages', '--loris': 'loris', '--settle-seconds': 'settleSeconds', '--sample-seconds': 'sampleSeconds', '--chat-rate': 'chatRate', '--offline-batch': 'offlineBatch' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = argv[++i];
    else if (a === '--skip') opts.skip = new Set(argv[++i].split(','));
    else if (names[a] && Number.isFinite(Number(argv[i + 1])) && Number(argv[i + 1]) >= 0) opts[names[a]] = Number(argv[++i]);
    else throw new Error(`unknown or bad option ${a} ${argv[i + 1] ?? ''} (see the usage in scripts/soak/run.mjs)`);
  }
  for (const loop of opts.skip) if (!SKIPPABLE.includes(loop)) throw new Error(`--skip: unknown loop '${loop}' (known: ${SKIPPABLE.join(', ')})`);
  if (opts.settleSeconds <= RESUME_TIMEOUT_SECONDS) throw new Error(`--settle-seconds must exceed the ${RESUME_TIMEOUT_SECONDS} s resumption timeout`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const loadMs = opts.minutes * 60_000;
  // Whatever happens, the soak ends: load, settle and a generous margin for set-up and tear-down.
  const watchdog = setTimeout(() => {
    console.error('soak: watchdog fired; giving up');
    process.exit(3);
  }, loadMs + opts.settleSeconds * 1000 + 180_000);
  watchdog.unref();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-soak-'));
  const server = await startSoakServer(dir, CLI);
  // Never leave the server behind, whatever ends this process (the watchdog included).
  process.on('exit', () => {
    if (server.running) process.kill(server.pid, 'SIGKILL');
  });
  const target = { host: '127.0.0.1', port: server.port, domain: DOMAIN };
  const startedAt = Date.now();
  const samples = [];
  const stats = { logins: 0, chatSent: 0, chatReceived: 0, chatErrors: 0, chatFailedClients: 0, offlineSent: 0, offlineReceived: 0, neverReaderSent: 0, smNoAckSent: 0, flooderSent: 0, lorisOpened: 0, lorisClosedByServer: 0, roundErrors: {}, lastError: {} };
  const failures = [];
  // A promise nobody waited for must not end the run before the server is stopped and the figures printed.
  process.on('unhandledRejection', (error) => failures.push(`unhandled: ${error?.message ?? error}`));
  let phase = 'setup';
  let sampler;
  try {
    const runId = `s${Date.now().toString(36)}`;
    const chatNames = usernames(runId, 'c', opts.pairs * 2);
    const churnNames = usernames(runId, 'l', opts.churnUsers);
    const offlineNames = usernames(runId, 'o', opts.offlineUsers);
    const special = usernames(runId, 'x', 6); // offline sender, never-reader + its sender, SM client + its sender, flooder
    await ensureAccounts(target, { kind: 'register' }, [...chatNames, ...churnNames, ...offlineNames, ...special], PASSWORD);

    // Warm-up, so the baseline includes code and caches every later phase also needs.
    phase = 'warm-up';
    const stopWarmChat = await startChat(target, chatNames, PASSWORD, 5, { ...stats });
    for (const name of churnNames) await churnRound(target, name, PASSWORD, `${chatNames[0]}@${DOMAIN}`, { ...stats });
    await stopWarmChat();

    phase = 'baseline';
    await sleep(2000);
    const baseline = await sample(server, phase, startedAt, true);
    samples.push(baseline);
    process.stderr.write(`soak: baseline heapUsed ${mib(baseline.heapUsed)} MiB, external ${mib(baseline.external)} MiB, RSS ${mib(baseline.rss)} MiB; load for ${opts.minutes} min\n`);

    phase = 'load';
    // One reading at a time: a busy server answers late, and queued requests would only pile up.
    let reading = false;
    sampler = setInterval(() => {
      if (reading) return;
      reading = true;
      sample(server, phase, startedAt).then((s) => samples.push(s), () => undefined).finally(() => (reading = false));
    }, opts.sampleSeconds * 1000);
    const deadline = Date.now() + loadMs;
    const [offlineSenderName, readerName, readerSenderName, smName, smSenderName, flooderName] = special;
    const offlineSender = await connectAndLogin(target, offlineSenderName, PASSWORD);
    const readerSender = await connectAndLogin(target, readerSenderName, PASSWORD);
    const smSender = await connectAndLogin(target, smSenderName, PASSWORD);
    const stopChat = await startChat(target, chatNames, PASSWORD, opts.chatRate, stats);
    let churnAt = 0;
    let offlineAt = 0;
    const loops = {
      churn: () => untilDeadline(deadline, stats, 'churn', () => churnRound(target, churnNames[churnAt++ % churnNames.length], PASSWORD, `${chatNames[0]}@${DOMAIN}`, stats)),
      offline: () => untilDeadline(deadline, stats, 'offline', () => offlineRound(target, offlineSender, offlineNames[offlineAt++ % offlineNames.length], PASSWORD, opts.offlineBatch, stats)),
      'never-reader': () => untilDeadline(deadline, stats, 'never-reader', () => neverReaderRound(target, readerName, readerSender, PASSWORD, opts.floodMessages, stats)),
      'sm-no-ack': () => untilDeadline(deadline, stats, 'sm-no-ack', () => smNoAckRound(target, smName, smSender, PASSWORD, opts.floodMessages, stats)),
      flooder: () => untilDeadline(deadline, stats, 'flooder', () => flooderRound(target, flooderName, PASSWORD, opts.floodMessages, stats)),
      loris: () => slowLoris(target, opts.loris, deadline, stats),
    };
    // The chat runs alongside until the deadline whatever is skipped.
    await Promise.all([sleep(Math.max(0, deadline - Date.now())), ...Object.entries(loops).filter(([name]) => !opts.skip.has(name)).map(([, loop]) => loop())]);
    await stopChat();
    await Promise.allSettled([offlineSender, readerSender, smSender].map((c) => c.close()));

    phase = 'settle';
    const peak = samples.reduce((a, b) => (b.heapUsed + b.external > a.heapUsed + a.external ? b : a), baseline);
    await sleep(opts.settleSeconds * 1000);
    clearInterval(sampler);
    sampler = undefined;
    phase = 'after';
    const final = await sample(server, phase, startedAt, true);
    samples.push(final);

    if (!server.running) failures.push('the server process died');
    const memory = verdict(baseline, final);
    if (!memory.ok) failures.push(`memory did not return near its baseline: heapUsed+external ${mib(memory.final)} MiB after settling, limit ${mib(memory.limit)} MiB (baseline ${mib(memory.baseline)} MiB × ${HEAP_GROWTH} + ${mib(HEAP_SLACK_BYTES)} MiB)`);
    if (stats.chatReceived < stats.chatSent) failures.push(`chat: ${stats.chatSent - stats.chatReceived} of ${stats.chatSent} messages lost`);
    if (stats.offlineReceived < stats.offlineSent) failures.push(`offline: ${stats.offlineSent - stats.offlineReceived} of ${stats.offlineSent} messages not delivered at login`);
    if (stats.chatErrors > 0) failures.push(`chat: ${stats.chatErrors} error replies`);
    if (stats.chatFailedClients > 0) failures.push(`chat: ${stats.chatFailedClients} well-behaved clients lost their stream`);
    // The well-behaved loops must not fail; the misbehaving ones may well be cut off by the server.
    for (const loop of ['chat', 'churn', 'offline']) {
      if (stats.roundErrors[loop]) failures.push(`${loop}: ${stats.roundErrors[loop]} failed rounds (last: ${stats.lastError[loop]})`);
    }

    console.log(table(samples));
    console.log(`\npeak heapUsed+external ${mib(peak.heapUsed + peak.external)} MiB at ${peak.t} s; peak RSS ${mib(Math.max(...samples.map((s) => s.rss)))} MiB; final RSS ${mib(final.rss)} MiB (baseline ${mib(baseline.rss)} MiB)`);
    console.log(`load: ${JSON.stringify({ ...stats, lastError: undefined })}`);
    if (Object.keys(stats.lastError).length > 0) console.log(`last error per loop: ${JSON.stringify(stats.lastError)}`);
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ opts, stats, samples, memory, failures }, null, 1));
  } catch (error) {
    failures.push(`soak aborted in phase ${phase}: ${error?.stack ?? error}`);
  } finally {
    if (sampler) clearInterval(sampler);
    await server.stop();
  }
  if (failures.length === 0) {
    console.log('soak: OK (memory back near its baseline; no message lost)');
    fs.rmSync(dir, { recursive: true, force: true });
  } else {
    for (const failure of failures) console.log(`soak: FAIL: ${failure}`);
    console.log(`soak: server log kept in ${server.logFile}`);
  }
  process.exitCode = failures.length === 0 ? 0 : 1;
  clearTimeout(watchdog);
}

await main();
