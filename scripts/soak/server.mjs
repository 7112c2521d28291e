// The Herald process under soak, started as the bench starts it (scripts/bench/servers.mjs: its own temp
// folder, loopback port and certificate) but with Herald's default limits, which the misbehaving clients
// are meant to meet, except those that would count the soak's many loopback connections as one abusive
// address; and with --expose-gc, so the admin command process.memory can settle the heap before a reading.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DOMAIN, startHerald } from '../bench/servers.mjs';

const run = promisify(execFile);

/** Seconds a dropped XEP-0198 session is kept for resumption: short, so it ends inside the settle period. */
export const RESUME_TIMEOUT_SECONDS = 5;

const LIMITS = `{ resumeTimeoutSeconds: ${RESUME_TIMEOUT_SECONDS}, maxConnectionsPerAddress: 100000, maxUnauthenticatedPerAddress: 100000, authFailuresPerMinute: 100000 }`;

export async function startSoakServer(dir, cli) {
  await run(process.execPath, [cli, 'cert', 'generate', DOMAIN, '--out', path.join(dir, 'certs')]);
  const server = await startHerald(dir, cli, ['--expose-gc'], { limits: LIMITS });
  return {
    ...server,
    adminSocket: path.join(dir, 'data', 'admin.sock'),
    logFile: path.join(dir, 'server.log'),
    get running() {
      try {
        process.kill(server.pid, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}
