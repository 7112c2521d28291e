// The Herald process under soak: its own temp folder, loopback port and certificate, started with
// --expose-gc so the admin command process.memory can settle the heap before a reading. Limits are
// Herald's defaults (the misbehaving clients are meant to meet them) except those that would count
// the soak's many loopback connections as one abusive address.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DOMAIN, freePort, waitForPort } from '../bench/servers.mjs';

const run = promisify(execFile);

/** Seconds a dropped XEP-0198 session is kept for resumption: short, so it ends inside the settle period. */
export const RESUME_TIMEOUT_SECONDS = 5;

export async function startSoakServer(dir, cli) {
  const port = await freePort();
  await run(process.execPath, [cli, 'cert', 'generate', DOMAIN, '--out', path.join(dir, 'certs')]);
  fs.writeFileSync(
    path.join(dir, 'herald.yaml'),
    [
      'domains:',
      `  - name: ${DOMAIN}`,
      '    registration: { enabled: true }',
      'listeners:',
      `  c2s: { host: 127.0.0.1, port: ${port} }`,
      '  c2sDirectTls: { enabled: false, host: 127.0.0.1, port: 0 }',
      'certsDir: ./certs',
      'storage: { dataDir: ./data }',
      `limits: { resumeTimeoutSeconds: ${RESUME_TIMEOUT_SECONDS}, maxConnectionsPerAddress: 100000, maxUnauthenticatedPerAddress: 100000, authFailuresPerMinute: 100000 }`,
      'logging: { level: warn }',
      'modules:',
      '  register: { options: { perAddressPerMinute: 100000000 } }',
      '  offline: { options: { quota: 1000000 } }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--expose-gc', cli, '--config', 'herald.yaml', 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(dir, 'server.log'));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  await waitForPort(port, child, 'herald');
  return {
    port,
    pid: child.pid,
    adminSocket: path.join(dir, 'data', 'admin.sock'),
    logFile: path.join(dir, 'server.log'),
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
