#!/usr/bin/env node
// HTTP-side figures, Herald beside Prosody (mod_websocket, mod_http_file_share) and ejabberd
// (ejabberd_http_ws, mod_http_upload) in one run: XMPP-over-WebSocket logins per second (PLAIN
// over wss://, bind), WebSocket messages per second between two sessions, server CPU per login and
// per message, and XEP-0363 upload/download throughput. Accounts are made by in-band registration
// over the WebSocket, the same way on every server. Usage:
//   npm run build && node scripts/bench/http.mjs [--servers herald,prosody,ejabberd] [--repeat N]
//     [--logins N] [--messages N] [--upload-mib N] [--json FILE]
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import WebSocket from 'ws';
import { sampleProcess } from '../../dist/bench/proc-stats.js';
import { DOMAIN, ejabberdInstalled, prosodyInstalled, startEjabberd, startHerald, startProsody } from './servers.mjs';
import { renderTable } from './table.mjs';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const PASSWORD = 'benchpass';
const HERALD_LIMITS = '{ bytesPerSecond: 1000000000, stanzasPerSecond: 1000000, authFailuresPerMinute: 1000000, maxConnectionsPerAddress: 100000, maxUnauthenticatedPerAddress: 100000, maxResourcesPerAccount: 100000 }';

function args() {
  const o = { repeat: 3, logins: 300, concurrency: 20, messages: 20000, window: 200, uploadMib: 256, servers: ['herald', 'prosody', 'ejabberd'], json: undefined };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--repeat') o.repeat = Number(a[++i]);
    else if (a[i] === '--logins') o.logins = Number(a[++i]);
    else if (a[i] === '--messages') o.messages = Number(a[++i]);
    else if (a[i] === '--upload-mib') o.uploadMib = Number(a[++i]);
    else if (a[i] === '--servers') o.servers = a[++i].split(',');
    else if (a[i] === '--json') o.json = a[++i];
    else throw new Error(`unknown option ${a[i]}`);
  }
  return o;
}

/** An XMPP stream over a WebSocket with "wait for this text" and a hook for everything else. */
async function wsStream(url) {
  const ws = new WebSocket(url, ['xmpp'], { rejectUnauthorized: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiters = [];
  const stream = { ws, onMessage: undefined, send: (t) => ws.send(t), jid: '' };
  ws.on('message', (data) => {
    const text = data.toString();
    const w = waiters.findIndex((x) => x.pattern.test(text));
    if (w >= 0) waiters.splice(w, 1)[0].resolve(text);
    else stream.onMessage?.(text);
  });
  ws.on('close', () => waiters.splice(0).forEach((w) => w.reject(new Error(`${url}: closed while waiting for ${w.pattern}`))));
  stream.expect = (pattern) => new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
  stream.open = () => {
    const features = stream.expect(/<\/stream:features>|<features[\s\S]*<\/features>/);
    ws.send(`<open xmlns='${FRAMING}' to='${DOMAIN}' version='1.0'/>`);
    return features;
  };
  await stream.open();
  return stream;
}

/** XEP-0077 registration before login; an existing account (conflict) is fine. */
async function register(url, user) {
  const s = await wsStream(url);
  const answer = s.expect(/id=['"]reg['"]/);
  s.send(`<iq xmlns='jabber:client' type='set' id='reg'><query xmlns='jabber:iq:register'><username>${user}</username><password>${PASSWORD}</password></query></iq>`);
  const text = await answer;
  s.ws.terminate();
  if (!/type=['"]result['"]/.test(text) && !text.includes('conflict')) throw new Error(`registering ${user} failed: ${text}`);
}

/** PLAIN over wss and a resource bind: the login every server here accepts on a secure transport. */
async function wsSession(url, user, resource) {
  const s = await wsStream(url);
  const success = s.expect(/<success/);
  s.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64')}</auth>`);
  await success;
  await s.open();
  const bound = s.expect(/id=['"]b['"]/);
  s.send(`<iq xmlns='jabber:client' type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
  s.jid = /<jid>([^<]+)<\/jid>/.exec(await bound)[1];
  return s;
}

/** Runs `work` and returns its result with the server's CPU seconds spent meanwhile. */
async function withCpu(pid, work) {
  const before = sampleProcess(pid).cpuSeconds;
  const result = await work();
  return { result, cpuSeconds: sampleProcess(pid).cpuSeconds - before };
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

async function messageRate(a, b, o) {
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
  return o.messages / (Number(process.hrtime.bigint() - start) / 1e9);
}

const unescape = (text) => text.replaceAll('&amp;', '&').replaceAll('&apos;', "'").replaceAll('&quot;', '"');

/** HTTPS to 127.0.0.1 with the slot URL's own Host (the peers route by it). */
function request(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const host = u.host;
    u.hostname = '127.0.0.1';
    const req = https.request(u, { method, headers: { ...headers, Host: host }, rejectUnauthorized: false }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode, bytes }));
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function uploadThroughput(s, o) {
  const size = o.uploadMib * 1024 * 1024;
  const slot = s.expect(/id=['"]slot['"]/);
  s.send(`<iq xmlns='jabber:client' type='get' id='slot' to='upload.${DOMAIN}'><request xmlns='urn:xmpp:http:upload:0' filename='bench.bin' size='${size}' content-type='application/octet-stream'/></iq>`);
  const answer = await slot;
  const put = /<put[^>]*url=['"]([^'"]+)['"]/.exec(answer)?.[1];
  const get = /<get[^>]*url=['"]([^'"]+)['"]/.exec(answer)?.[1];
  if (!put || !get) throw new Error(`no upload slot: ${answer}`);
  // Prosody's slots carry an Authorization header the PUT must repeat (XEP-0363 §5).
  const slotHeaders = Object.fromEntries([...answer.matchAll(/<header name=['"]([^'"]+)['"]>([^<]*)<\/header>/g)].map((m) => [m[1], unescape(m[2])]));
  const chunk = Buffer.alloc(1024 * 1024, 7);
  let sent = 0;
  const body = new Readable({ read() { if (sent >= size) this.push(null); else { sent += chunk.length; this.push(chunk); } } });
  let t = process.hrtime.bigint();
  const stored = await request('PUT', unescape(put), { ...slotHeaders, 'Content-Type': 'application/octet-stream', 'Content-Length': size }, body);
  if (stored.status !== 200 && stored.status !== 201) throw new Error(`PUT answered ${stored.status}`);
  const up = o.uploadMib / (Number(process.hrtime.bigint() - t) / 1e9);
  t = process.hrtime.bigint();
  const fetched = await request('GET', unescape(get), {});
  const down = o.uploadMib / (Number(process.hrtime.bigint() - t) / 1e9);
  if (fetched.bytes !== size) throw new Error(`GET gave ${fetched.bytes} bytes`);
  return { up, down };
}

/** One round against one running server: a JSON line per scenario, as run.mjs prints them. */
async function round(server, o) {
  const url = server.wsUrl;
  const logins = await withCpu(server.pid, () => loginRate(url, o));
  const a = await wsSession(url, 'bench', 'sender');
  const b = await wsSession(url, 'bench2', 'receiver');
  const messages = await withCpu(server.pid, () => messageRate(a, b, o));
  b.ws.terminate();
  const upload = await uploadThroughput(a, o);
  a.ws.terminate();
  return [
    { server: server.name, scenario: 'ws-login', metrics: { 'logins/s': logins.result, 'server CPU ms/login': (logins.cpuSeconds * 1000) / o.logins } },
    { server: server.name, scenario: 'ws-messages', metrics: { 'msgs/s': messages.result, 'server CPU µs/msg': (messages.cpuSeconds * 1e6) / o.messages } },
    { server: server.name, scenario: 'upload', metrics: { 'PUT MiB/s': upload.up, 'GET MiB/s': upload.down } },
  ];
}

async function main() {
  const o = args();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-http-bench-'));
  const certDir = path.join(root, 'certs');
  await promisify(execFile)(process.execPath, [CLI, 'cert', 'generate', DOMAIN, '--out', certDir]);
  fs.chmodSync(path.join(certDir, `${DOMAIN}.key`), 0o644); // read by the peers' own users
  fs.chmodSync(root, 0o755);
  const launchers = {
    // The peers archive nothing here (no mod_mam), so neither does Herald: like with like.
    herald: { ok: () => true, start: (dir) => startHerald(dir, CLI, [], { limits: HERALD_LIMITS, modules: ['mam: { enabled: false }'] }) },
    prosody: { ok: prosodyInstalled, start: (dir) => startProsody(dir, certDir, { http: true }) },
    ejabberd: { ok: ejabberdInstalled, start: (dir) => startEjabberd(dir, certDir, { http: true }) },
  };
  const lines = [];
  try {
    for (const name of o.servers) {
      if (!launchers[name]?.ok()) {
        console.log(`${name}: not installed, skipped`);
        continue;
      }
      const dir = fs.mkdtempSync(path.join(root, `${name}-`));
      fs.chmodSync(dir, 0o755);
      const server = await launchers[name].start(dir);
      try {
        for (const user of ['bench', 'bench2']) await register(server.wsUrl, user);
        for (let r = 0; r < o.repeat; r++) lines.push(...(await round(server, o)));
        console.log(`${name}: ${o.repeat} round(s) done`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (o.json) fs.writeFileSync(o.json, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  console.log(renderTable(lines, o.servers));
  console.log(`\n${o.repeat} round(s); median (min–max); ratio = Herald / peer; ${o.logins} logins (${o.concurrency} at once), ${o.messages} messages (window ${o.window}), ${o.uploadMib} MiB per upload. ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`);
}

await main();
