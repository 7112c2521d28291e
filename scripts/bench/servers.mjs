// Starting the servers under test by hand, as plain processes with their own config, data
// folder, loopback ports and a generated certificate (never as system services), and stopping
// them by PID. Each launcher returns { name, port, pid, stop }.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const DOMAIN = 'localhost';
const BENCH_LIMITS = '{ bytesPerSecond: 1000000000, stanzasPerSecond: 1000000000, maxConnectionsPerAddress: 1000000, maxUnauthenticatedPerAddress: 1000000 }';

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port, child, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

/** A free loopback port, picked by the kernel. */
export function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function logTo(child, file) {
  const out = fs.createWriteStream(file);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
}

async function stopPid(pid, child) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  if (child && child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
}

/**
 * nodeArgs go before the script, e.g. ['--cpu-prof'] for scripts/bench/profile.mjs; `limits` replaces the
 * limits line (rate limits off), e.g. for scripts/soak/, which runs with Herald's own limits;
 * `modules` adds lines under `modules:`, e.g. ['mam: { enabled: false }'] (`--herald-module`).
 * `env` is added to the environment (a cluster node's HERALD_REDIS_URL …); `pin` prefixes the
 * command, e.g. ['taskset', '-c', '1'] (scripts/bench/cluster.mjs).
 */
export async function startHerald(dir, cli, nodeArgs = [], { limits = BENCH_LIMITS, modules = [], env = {}, pin = [] } = {}) {
  const port = await freePort();
  const httpsPort = await freePort();
  fs.writeFileSync(
    path.join(dir, 'herald.yaml'),
    [
      'domains:',
      `  - name: ${DOMAIN}`,
      '    registration: { enabled: true }',
      'listeners:',
      `  c2s: { host: 127.0.0.1, port: ${port} }`,
      '  c2sDirectTls: { enabled: false, host: 127.0.0.1, port: 0 }',
      '  http: { enabled: false }',
      `  https: { host: 127.0.0.1, port: ${httpsPort} }`,
      'certsDir: ./certs',
      'storage: { dataDir: ./data }',
      `limits: ${limits}`,
      'logging: { level: warn }',
      'modules:',
      '  register: { options: { perAddressPerMinute: 100000000 } }',
      '  offline: { options: { quota: 1000000 } }', // peers are configured without a quota too
      '  muc: { options: { maxOccupantsPerRoom: 100000, maxMessagesPerMinute: 1000000 } }', // nor room limits
      ...modules.map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );
  const [program, ...args] = [...pin, process.execPath, ...nodeArgs, cli, '--config', 'herald.yaml', 'start'];
  const child = spawn(program, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  logTo(child, path.join(dir, 'server.log'));
  await waitForPort(port, child, 'herald');
  const wsUrl = `wss://127.0.0.1:${httpsPort}/xmpp-websocket`;
  return { name: 'herald', port, httpsPort, wsUrl, pid: child.pid, stop: () => stopPid(child.pid, child) };
}

export function prosodyInstalled() {
  return fs.existsSync('/usr/bin/prosody');
}

/**
 * With `mam`, Prosody archives (mod_mam, always) into SQL storage on SQLite (LuaDBI's
 * lua-dbi-sqlite3; its default file storage does not scale to large archives). With `http`, it
 * serves HTTPS on a free port with mod_websocket and an `upload.` mod_http_file_share component.
 */
export async function startProsody(dir, certDir, { mam = false, http = false } = {}) {
  const port = await freePort();
  const httpsPort = http ? await freePort() : undefined;
  const ssl = `{ certificate = "${certDir}/${DOMAIN}.crt", key = "${certDir}/${DOMAIN}.key" }`;
  const config = path.join(dir, 'prosody.cfg.lua');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  // Lua strings: our paths come from mkdtemp, so they hold no quotes.
  fs.writeFileSync(
    config,
    `-- written by scripts/bench/servers.mjs
daemonize = false
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
interfaces = { "127.0.0.1" }
c2s_ports = { ${port} }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { ${httpsPort ?? ''} }
https_interfaces = { "127.0.0.1" }
https_ssl = ${ssl}
http_default_host = "${DOMAIN}"
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "register", "offline", "pep", "smacks"${mam ? ', "mam"' : ''}${http ? ', "websocket"' : ''} }
modules_disabled = { "s2s" }
c2s_require_encryption = true
authentication = "internal_hashed"
${mam ? 'storage = "sql"\nsql = { driver = "SQLite3", database = "prosody.sqlite" }\ndefault_archive_policy = true\narchive_expires_after = "never"\nmax_archive_query_results = 50' : 'storage = "internal"'}
allow_registration = true
min_seconds_between_registrations = 0
registration_whitelist = { "127.0.0.1" }
log = { { levels = { min = "warn" }, to = "console" } }
ssl = ${ssl}
VirtualHost "${DOMAIN}"
Component "conference.${DOMAIN}" "muc"
${http ? `Component "upload.${DOMAIN}" "http_file_share"\n  http_file_share_size_limit = 4294967296\n  http_file_share_daily_quota = 1099511627776\n` : ''}`,
  );
  // Prosody 0.12 refuses to run as root: run it as its own Debian user, owning the folder.
  const uid = Number(execFileSync('id', ['-u', 'prosody'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'prosody'], { encoding: 'utf8' }));
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'prosody:', dir]);
  const asUser = process.getuid?.() === 0 ? { uid, gid } : {};
  const child = spawn('/usr/bin/prosody', ['--config', config, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
  logTo(child, path.join(dir, 'server.log'));
  await waitForPort(port, child, 'prosody');
  if (httpsPort) await waitForPort(httpsPort, child, 'prosody https');
  const wsUrl = httpsPort ? `wss://127.0.0.1:${httpsPort}/xmpp-websocket` : undefined;
  return { name: 'prosody', port, httpsPort, wsUrl, pid: child.pid, stop: () => stopPid(child.pid, child) };
}

export function ejabberdInstalled() {
  return fs.existsSync('/usr/sbin/ejabberdctl');
}

/** Descendant of pid whose command is `name` (ejabberdctl → su → sh → erl → beam.smp). */
function findDescendant(pid, name) {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  const children = (p) => rows.filter((r) => Number(r[1]) === p);
  const queue = [pid];
  while (queue.length) {
    for (const row of children(queue.shift())) {
      if (row[2] === name) return Number(row[0]);
      queue.push(Number(row[0]));
    }
  }
  return undefined;
}

/**
 * With `mam`, ejabberd archives (mod_mam, default: always) in its default storage, Mnesia. With
 * `http`, an ejabberd_http listener with TLS serves WebSocket at /ws and mod_http_upload.
 * `maxPorts` raises Erlang's port table (ERL_MAX_PORTS, default 65,536) for the scale scenario.
 */
export async function startEjabberd(dir, certDir, { mam = false, http = false, maxPorts = undefined } = {}) {
  const port = await freePort();
  const httpsPort = http ? await freePort() : undefined;
  const httpListener = [
    `  - port: ${httpsPort}`,
    '    ip: "127.0.0.1"',
    '    module: ejabberd_http',
    '    tls: true',
    '    request_handlers:',
    '      /ws: ejabberd_http_ws',
    '      /upload: mod_http_upload',
    '',
  ].join('\n');
  const uploadModule = `  mod_http_upload: { put_url: "https://@HOST@:${httpsPort}/upload", docroot: "${dir}/upload", max_size: infinity, thumbnail: false, access: all }\n`;
  const node = `bench${process.pid}@localhost`;
  fs.writeFileSync(path.join(dir, 'cert.pem'), fs.readFileSync(path.join(certDir, `${DOMAIN}.crt`), 'utf8') + fs.readFileSync(path.join(certDir, `${DOMAIN}.key`), 'utf8'));
  fs.writeFileSync(
    path.join(dir, 'ejabberd.yml'),
    `# written by scripts/bench/servers.mjs
hosts: [${DOMAIN}]
loglevel: warning
certfiles: ["${dir}/cert.pem"]
auth_method: internal
auth_password_format: scram
registration_timeout: infinity
listen:
  - port: ${port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    shaper: none
    access: all
${http ? httpListener : ''}shaper_rules:
  max_user_sessions: 100000
  max_user_offline_messages: 1000000
  c2s_shaper: none
access_rules:
  register: { allow: all }
modules:
  mod_roster: {}
  mod_disco: {}
  mod_ping: {}
  mod_offline: { access_max_user_messages: max_user_offline_messages }
  mod_register: { ip_access: all, access: register }
  mod_caps: {}
  mod_pubsub: { plugins: [flat, pep] }
  mod_muc: { access: all, access_create: all, access_persistent: all, access_admin: none, max_users: 100000, max_users_presence: 100000, default_room_options: { max_users: 100000 } }
  mod_stream_mgmt: {}
${mam ? '  mod_mam: { default: always }\n' : ''}${http ? uploadModule : ''}`,
  );
  // Our own ejabberdctl.cfg: Debian's /etc/ejabberd/ejabberdctl.cfg would override --config.
  fs.writeFileSync(path.join(dir, 'ejabberdctl.cfg'), `ERLANG_NODE=${node}\nERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"\n${maxPorts ? `ERL_MAX_PORTS=${maxPorts}\n` : ''}`);
  for (const sub of ['spool', 'logs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  // ejabberd runs as the ejabberd user, which must own the folder. We start ejabberdctl as that
  // user ourselves: run as root it would `su`, whose PAM limits cut open files to 1,024, and
  // 1,000 logins would fail.
  execFileSync('chown', ['-R', 'ejabberd:', dir]);
  const asRoot = process.getuid?.() === 0;
  const asUser = asRoot ? { uid: Number(execFileSync('id', ['-u', 'ejabberd'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'ejabberd'], { encoding: 'utf8' })) } : {};
  fs.chmodSync(dir, 0o755);
  const args = ['--config-dir', dir, '--ctl-config', path.join(dir, 'ejabberdctl.cfg'), '--config', path.join(dir, 'ejabberd.yml')];
  args.push('--spool', path.join(dir, 'spool'), '--logs', path.join(dir, 'logs'), '--node', node, 'foreground');
  // Our own epmd on its own port, in the foreground: Erlang would otherwise start a daemon that
  // outlives the run, and we must never stop an epmd someone else relies on.
  const epmdPort = await freePort();
  const epmd = spawn('/usr/bin/epmd', ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore' });
  const stopEpmd = () => stopPid(epmd.pid, epmd);
  try {
    await waitForPort(epmdPort, epmd, 'epmd');
    const env = { ...process.env, ERL_EPMD_ADDRESS: '127.0.0.1', ERL_EPMD_PORT: String(epmdPort), ...(asRoot ? { HOME: '/var/lib/ejabberd' } : {}) };
    const child = spawn('/usr/sbin/ejabberdctl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env, ...asUser });
    logTo(child, path.join(dir, 'server.log'));
    await waitForPort(port, child, 'ejabberd', 60_000);
    if (httpsPort) await waitForPort(httpsPort, child, 'ejabberd https', 60_000);
    const pid = findDescendant(child.pid, 'beam.smp');
    if (pid === undefined) throw new Error('ejabberd: beam.smp process not found');
    const wsUrl = httpsPort ? `wss://127.0.0.1:${httpsPort}/ws` : undefined;
    return { name: 'ejabberd', port, httpsPort, wsUrl, pid, stop: () => stopPid(pid, child).then(stopEpmd) };
  } catch (error) {
    await stopEpmd();
    throw error;
  }
}

/**
 * The bare Node.js TLS relay (scripts/bench/tls-relay.mjs): the throughput floor for a Node
 * server, on the same certificate. `pin` prefixes the command as for startHerald.
 */
export async function startRelay(dir, certDir, { pin = [] } = {}) {
  const script = new URL('./tls-relay.mjs', import.meta.url).pathname;
  const [program, ...args] = [...pin, process.execPath, script, path.join(certDir, `${DOMAIN}.crt`), path.join(certDir, `${DOMAIN}.key`), DOMAIN];
  const child = spawn(program, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))).port);
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code} before listening`)));
  });
  child.stderr.pipe(fs.createWriteStream(path.join(dir, 'server.log')));
  return { name: 'relay', port, pid: child.pid, stop: () => stopPid(child.pid, child) };
}
