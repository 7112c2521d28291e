// Node bus transport choice (issue 17, docs/scale-out.md): Redis Streams (per-node inbox, entries
// deleted once delivered) against pub/sub (a channel per node), on a throwaway redis-server.
// Measures, for N stanza-sized messages sent one after another by one sender, the throughput and
// the latency from send to the receiver having it, and the Redis CPU per message.
// Usage: node scripts/bench/redis-bus.mjs [--messages 20000] [--rounds 3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('messages', 20000);
const ROUNDS = arg('rounds', 3);
const PAYLOAD = `<message to='bob@localhost/phone' from='alice@localhost/laptop' id='xxxxxxxx' type='chat'><body>${'x'.repeat(200)}</body></message>`;

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bus-bench-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.on('data', (c) => c.toString().includes('Ready to accept') && resolve()));
  return { url: `redis://127.0.0.1:${port}`, stop: () => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

const redisCpu = async (c) => {
  const info = await c.info('cpu');
  return Number(info.match(/used_cpu_user:([\d.]+)/)[1]) + Number(info.match(/used_cpu_sys:([\d.]+)/)[1]);
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function streams(url) {
  const sender = new Redis(url), reader = new Redis(url), acker = new Redis(url);
  const key = 'bench:inbox';
  await sender.del(key);
  const sentAt = new Array(N);
  const latencies = [];
  let lastId = '$';
  let received = 0;
  const done = new Promise((resolve) => {
    (async () => {
      while (received < N) {
        const res = await reader.xread('COUNT', 512, 'BLOCK', 1000, 'STREAMS', key, lastId);
        if (!res) continue;
        const ids = [];
        for (const [id, fields] of res[0][1]) {
          lastId = id;
          ids.push(id);
          latencies.push(performance.now() - sentAt[Number(fields[1])]);
          received++;
        }
        acker.xdel(key, ...ids);
      }
      resolve();
    })();
  });
  await new Promise((r) => setTimeout(r, 50)); // the reader blocks before the first send
  const cpu0 = await redisCpu(acker);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    sentAt[i] = performance.now();
    await sender.xadd(key, '*', 'n', String(i), 'x', PAYLOAD);
  }
  await done;
  const ms = performance.now() - t0;
  const cpu = (await redisCpu(acker)) - cpu0;
  for (const c of [sender, reader, acker]) c.disconnect();
  return { ms, latencies, cpu };
}

async function pubsub(url) {
  const sender = new Redis(url), sub = new Redis(url), probe = new Redis(url);
  const sentAt = new Array(N);
  const latencies = [];
  let received = 0;
  let finish;
  const done = new Promise((r) => (finish = r));
  sub.on('message', (_c, message) => {
    latencies.push(performance.now() - sentAt[Number(message.slice(0, message.indexOf('|')))]);
    if (++received === N) finish();
  });
  await sub.subscribe('bench:node');
  const cpu0 = await redisCpu(probe);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    sentAt[i] = performance.now();
    await sender.publish('bench:node', `${i}|${PAYLOAD}`);
  }
  await done;
  const ms = performance.now() - t0;
  const cpu = (await redisCpu(probe)) - cpu0;
  for (const c of [sender, sub, probe]) c.disconnect();
  return { ms, latencies, cpu };
}

const redis = await startRedis();
try {
  const rows = { streams: [], pubsub: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of [['streams', streams], ['pubsub', pubsub]]) {
      const { ms, latencies, cpu } = await fn(redis.url);
      latencies.sort((a, b) => a - b);
      rows[name].push({ perSec: N / (ms / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), redisCpuUs: (cpu * 1e6) / N });
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, list] of Object.entries(rows)) {
    console.log(`${name.padEnd(8)} msgs/s ${median(list.map((r) => r.perSec)).toFixed(0).padStart(6)}  p50 ${median(list.map((r) => r.p50)).toFixed(3)} ms  p99 ${median(list.map((r) => r.p99)).toFixed(3)} ms  Redis CPU ${median(list.map((r) => r.redisCpuUs)).toFixed(1)} µs/msg  (median of ${ROUNDS})`);
  }
} finally {
  redis.stop();
}
