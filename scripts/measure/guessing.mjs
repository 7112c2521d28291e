// Password guessing with many parallel connections (issue 13, item 8): starts a Herald server
// from a build (default: this repository's dist/), then N workers guess alice's password over
// direct TLS with PLAIN, three tries per connection, reconnecting whenever the server closes the
// stream. Prints how many real answers (guesses) the attacker got per minute, how many were
// refused by a lock or at connect, and whether the right password (the 300th guess) was found.
//
//   node scripts/measure/guessing.mjs [--root DIR] [--workers 200] [--seconds 60] [--yaml 'limits: …']
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const root = path.resolve(args.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));
const workers = Number(args.workers ?? 200);
const seconds = Number(args.seconds ?? 60);
const RIGHT_AT = 300;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-guessing-'));
const config = path.join(dir, 'herald.yaml');
fs.writeFileSync(config, [
  'domains:', '  - name: localhost',
  'listeners:', '  c2s: { host: 127.0.0.1, port: 0 }', '  c2sDirectTls: { host: 127.0.0.1, port: 0 }', '  http: { enabled: false }', '  https: { enabled: false }',
  'certsDir: ./certs', 'storage:', '  dataDir: ./data', 'logging:', '  level: info',
  (args.yaml ?? '').replace(/\\n/g, '\n'),
].join('\n'));
const cli = path.join(root, 'dist/cli/main.js');

function run(argv, input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--config', config, ...argv], { cwd: dir, stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin.end(input ?? '');
    child.once('close', resolve);
  });
}

await run(['user', 'add', 'alice@localhost', '--password-stdin'], 'the-right-one');
const server = spawn(process.execPath, [cli, '--config', config, 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
const port = await new Promise((resolve) => {
  const found = {};
  createInterface({ input: server.stdout }).on('line', (line) => {
    try {
      const entry = JSON.parse(line);
      if (entry.listener && entry.port) found[entry.listener] = entry.port;
      if (entry.msg === 'server ready') resolve(found['c2s-direct-tls']);
    } catch {}
  });
});

let next = 0;
const count = { guesses: 0, locked: 0, refused: 0, connections: 0 };
let foundAt;
const started = Date.now();
const deadline = started + seconds * 1000;
const password = () => (++next === RIGHT_AT ? 'the-right-one' : `guess-${next}`);

/** One connection: up to three PLAIN attempts; resolves when the server closes or time is up. */
function connection() {
  return new Promise((resolve) => {
    count.connections += 1;
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['xmpp-client'] });
    let buffer = '';
    let secured = false;
    const attempt = () => {
      if (Date.now() > deadline) return socket.destroy();
      socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0alice\0${password()}`).toString('base64')}</auth>`);
    };
    socket.once('secureConnect', () => {
      secured = true;
      socket.write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>");
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes('</stream:features>')) {
        buffer = buffer.slice(buffer.indexOf('</stream:features>') + 18);
        return attempt();
      }
      const end = buffer.includes('<success') ? buffer.indexOf('<success') : buffer.indexOf('</failure>');
      if (end < 0) return;
      const reply = buffer.slice(0, end + 10);
      buffer = buffer.slice(end + 10);
      if (reply.includes('<success')) {
        foundAt ??= (Date.now() - started) / 1000;
        return socket.destroy();
      }
      if (reply.includes('account-disabled')) count.locked += 1;
      else count.guesses += 1;
      attempt();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (!secured) count.refused += 1;
      resolve(secured);
    });
  });
}

async function worker() {
  while (Date.now() < deadline && foundAt === undefined) {
    // A refused connection is retried after a short pause, as a patient attacker would.
    if (!(await connection())) await new Promise((r) => setTimeout(r, 100));
  }
}

await Promise.all(Array.from({ length: workers }, worker));
const elapsed = (Date.now() - started) / 1000;
server.kill('SIGTERM');
console.log(JSON.stringify({
  root, workers, seconds: Math.round(elapsed),
  realAnswersPerMinute: Math.round((count.guesses * 60) / elapsed),
  ...count,
  rightPasswordFoundAfterSeconds: foundAt ?? null,
}));
fs.rmSync(dir, { recursive: true, force: true });
