// What a Herald cluster stands on, for the cluster bench: one redis-server and one PostgreSQL,
// each a plain process with its own folder and loopback port (never the system services),
// stopped by PID. PostgreSQL is Debian's (/usr/lib/postgresql/<major>/bin); initdb and postgres
// refuse to run as root, so as root both run as the `postgres` user through setpriv, which execs
// in place (the PID we hold is the server's). `pin` prefixes the command, e.g. taskset -c 0.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './servers.mjs';

async function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, signal);
  await exited;
}

export async function startRedis(dir, pin = []) {
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];
  const [program, rest] = command(pin, 'redis-server', args, false);
  const child = spawn(program, rest, { stdio: 'ignore' });
  await waitForPort(port, child, 'redis-server');
  return { url: `redis://127.0.0.1:${port}/0`, pid: child.pid, stop: () => stopChild(child, 'SIGTERM') };
}

function postgresBin() {
  const root = '/usr/lib/postgresql';
  const major = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a)[0] : undefined;
  if (!major) throw new Error('PostgreSQL server binaries not found (install Debian\'s postgresql package)');
  return path.join(root, major, 'bin');
}

/** `pin` first; PostgreSQL's programs as the postgres user when we are root. */
function command(pin, program, args, asPostgres = true) {
  const asUser = asPostgres && process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : [];
  const [first, ...rest] = [...pin, ...asUser, program, ...args];
  return [first, rest];
}

export async function startPostgresServer(dir, pin = []) {
  const bin = postgresBin();
  const data = path.join(dir, 'data');
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [initdb, initArgs] = command([], path.join(bin, 'initdb'), ['-D', data, '-U', 'herald', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, args] = command(pin, path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200']);
  const child = spawn(postgres, args, { stdio: 'ignore' });
  await waitForPort(port, child, 'postgres');
  const url = (database) => `postgres://herald@127.0.0.1:${port}/${database}`;
  return {
    pid: child.pid,
    url,
    /** A fresh database for one run; its URL. */
    async createDatabase(name) {
      const { default: pg } = await import('pg');
      // The server accepts TCP a moment before it accepts sessions: retry briefly.
      for (let attempt = 0; ; attempt++) {
        const client = new pg.Client({ connectionString: url('postgres') });
        try {
          await client.connect();
          await client.query(`CREATE DATABASE ${name}`);
          return url(name);
        } catch (error) {
          if (attempt >= 50 || !/starting up/.test(error.message)) throw error;
          await new Promise((r) => setTimeout(r, 100));
        } finally {
          await client.end().catch(() => {});
        }
      }
    },
    stop: () => stopChild(child, 'SIGINT'),
  };
}
