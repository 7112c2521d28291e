#!/usr/bin/env node
// HTTP-side figures for Herald: XMPP-over-WebSocket logins per second (PLAIN over wss://, bind),
// WebSocket message rate between two sessions, and XEP-0363 upload/download throughput.
// Herald only for now (Prosody's mod_websocket/mod_http_file_share and ejabberd's ejabberd_http
// are not configured by scripts/bench/servers.mjs yet). Usage:
//   npm run build && node scripts/bench/http.mjs [--repeat N] [--logins N] [--messages N] [--upload-mib N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import WebSocket from 'ws';
import { median } from '../../dist/bench/percentiles.js';
import { DOMAIN, startHerald } from './servers.mjs';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';

function args() {
  const o = { repeat: 3, logins: 300, concurrency: 20, messages: 20000, window: 200, uploadMib: 256 };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--repeat') o.repeat = Number(a[++i]);
    else if (a[i] === '--logins') o.logins = Number(a[++i]);
    else if (a[i] === '--messages') o.messages = Number(a[++i]);
    else if (a[i] === '--upload-mib') o.uploadMib = Number(a[++i]);
  }
  return o;
}

/** A WebSocket XMPP session: resolves once bound, with send() and a per-message hook. */
async function wsSession(url, user, resource) {
  const ws = new WebSocket(url, ['xmpp'], { rejectUnauthorized: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiters = [];
  const session = { ws, onMessage: undefined, send: (t) => ws.send(t), jid: '' };
  ws.on('message', (data) => {
    const text = data.toString();
    const w = waiters.findIndex((x) => text.includes(x.needle));
    if (w >= 0) waiters.splice(w, 1)[0].resolve(text);
    else session.onMessage?.(text);
  });
  const expect = (needle) => new Promise((resolve) => waiters.push({ needle, resolve }));
  const open = () => {
    const features = expect('</stream:features>');
    ws.send(`<open xmlns='${FRAMING}' to='${DOMAIN}' version='1.0'/>`);
    return features;
  };
  await open();
  const success = expect('<success');
  ws.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0benchpass`).toString('base64')}</auth>`);
  await success;
  await open();
  const bound = expect("id=\"b\"");
  ws.send(`<iq xmlns='jabber:client' type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
  session.jid = /<jid>([^<]+)<\/jid>/.exec(await bound)[1];
  return session;
}

async function loginRate(url, o) {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < o.logins) {
      const n = next++;
      const s = await wsSession(url, 'bench', `r${n}`);
      s.ws.terminate();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return o.logins / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function messageRate(url, o) {
  const a = await wsSession(url, 'bench', 'sender');
  const b = await wsSession(url, 'bench2', 'receiver');
  let received = 0;
  let sent = 0;
  const start = process.hrtime.bigint();
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < o.messages && sent - received < o.window) {
        a.send(`<message xmlns='jabber:client' to='${b.jid}' type='chat' id='m${sent}'><body>message number ${sent}</body></message>`);
        sent += 1;
      }
    };
    b.onMessage = (text) => {
      if (!text.startsWith('<message')) return;
      received += 1;
      if (received === o.messages) resolve();
      else pump();
    };
    pump();
  });
  const rate = o.messages / (Number(process.hrtime.bigint() - start) / 1e9);
  a.ws.terminate();
  b.ws.terminate();
  return rate;
}

function request(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    const req = https.request(u, { method, headers, rejectUnauthorized: false }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode, bytes }));
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function uploadThroughput(url, o) {
  const s = await wsSession(url, 'bench', 'uploader');
  const size = o.uploadMib * 1024 * 1024;
  const slot = new Promise((resolve) => (s.onMessage = resolve));
  s.send(`<iq xmlns='jabber:client' type='get' id='s' to='upload.${DOMAIN}'><request xmlns='urn:xmpp:http:upload:0' filename='bench.bin' size='${size}' content-type='application/octet-stream'/></iq>`);
  const answer = await slot;
  const put = /<put url="([^"]+)"/.exec(answer)[1].replaceAll('&amp;', '&');
  const get = /<get url="([^"]+)"/.exec(answer)[1];
  const chunk = Buffer.alloc(1024 * 1024, 7);
  let sent = 0;
  const body = new Readable({ read() { if (sent >= size) this.push(null); else { sent += chunk.length; this.push(chunk); } } });
  let t = process.hrtime.bigint();
  const stored = await request('PUT', put, { 'Content-Type': 'application/octet-stream', 'Content-Length': size }, body);
  if (stored.status !== 201) throw new Error(`PUT answered ${stored.status}`);
  const up = o.uploadMib / (Number(process.hrtime.bigint() - t) / 1e9);
  t = process.hrtime.bigint();
  const fetched = await request('GET', get, {});
  const down = o.uploadMib / (Number(process.hrtime.bigint() - t) / 1e9);
  if (fetched.bytes !== size) throw new Error(`GET gave ${fetched.bytes} bytes`);
  s.ws.terminate();
  return { up, down };
}

async function main() {
  const o = args();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-http-bench-'));
  const server = await startHerald(dir, CLI, [], { limits: '{ bytesPerSecond: 1000000000, stanzasPerSecond: 1000000, authFailuresPerMinute: 1000000, maxConnectionsPerAddress: 100000, maxUnauthenticatedPerAddress: 100000, maxResourcesPerAccount: 100000 }' });
  try {
    for (const user of ['bench', 'bench2']) {
      const added = spawnSync(process.execPath, [CLI, '--config', path.join(dir, 'herald.yaml'), 'user', 'add', `${user}@${DOMAIN}`, '--password-stdin'], { cwd: dir, input: 'benchpass' });
      if (added.status !== 0) throw new Error(`user add failed: ${added.stderr}`);
    }
    const url = `wss://127.0.0.1:${server.httpsPort}/xmpp-websocket`;
    const rows = { logins: [], messages: [], up: [], down: [] };
    for (let r = 0; r < o.repeat; r++) {
      rows.logins.push(await loginRate(url, o));
      rows.messages.push(await messageRate(url, o));
      const { up, down } = await uploadThroughput(url, o);
      rows.up.push(up);
      rows.down.push(down);
    }
    const fmt = (xs) => `median ${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
    console.log(`herald, ${o.repeat} rounds`);
    console.log(`  WebSocket logins/s (PLAIN over wss, bind; ${o.concurrency} at once): ${fmt(rows.logins)}`);
    console.log(`  WebSocket messages/s (one pair, window ${o.window}): ${fmt(rows.messages)}`);
    console.log(`  upload PUT MiB/s (${o.uploadMib} MiB over HTTPS): ${fmt(rows.up)}`);
    console.log(`  download GET MiB/s: ${fmt(rows.down)}`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
