// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, the server started as
// a plain child process on a free loopback port with its own socket folder, stopped by PID. Never
// the system service. Used by the storage contract, the PostgreSQL protocol tests and (later)
// cluster tests.
//
// Binaries: $HERALD_PG_BINDIR, else the newest /usr/lib/postgresql/<major>/bin (where Debian's
// `postgresql` package puts initdb and postgres; they are not on PATH there), else PATH.
// As root (CI): initdb and postgres refuse to run as root, so both run as the `postgres` user that
// Debian's package creates, through `setpriv` (util-linux), which execs in place so the PID we hold
// is the server's own; the cluster's folder is handed to that user first.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_USER = 'herald';
export const PG_PASSWORD = 'herald-test-password';
const READY_TIMEOUT_MS = 30_000;

export interface PostgresCluster {
  readonly port: number;
  readonly pid: number;
  /** postgres://herald:…@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server by PID (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
}

/** Where initdb and postgres are, or an error saying how to get them. */
export function postgresBinDir(): string {
  const fromEnv = process.env.HERALD_PG_BINDIR;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = path.join(root, major, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb'))) return bin;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries (initdb, postgres) not found: install Debian\'s postgresql package or set HERALD_PG_BINDIR');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The command line, run as the postgres user when we are root. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
}

function waitForReady(child: ChildProcess, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not become ready within ${READY_TIMEOUT_MS} ms:\n${log.join('\n')}`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      log.push(line);
      if (line.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code} before it was ready:\n${log.join('\n')}`));
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-pg-'));
  const data = path.join(dir, 'data');
  const sockets = path.join(dir, 'sockets');
  fs.mkdirSync(sockets);
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', dir]);

  // Passwords over TCP (so tests can see a refused one), trust on the private socket folder.
  const [initdb, initArgs] = asServerUser(path.join(bin, 'initdb'), [
    '-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust',
    '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  await run(initdb, initArgs);

  const port = await freePort();
  // fsync off: a test cluster need not survive a power cut, and it spares the shared disk.
  const [postgres, args] = asServerUser(path.join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
    '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ]);
  const child = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  try {
    await waitForReady(child, log);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  const url = (database: string): string => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`;

  return {
    port,
    pid: child.pid!,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, no checkpoint wait.
      if (child.exitCode === null) process.kill(child.pid!, 'SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Empties every Herald table (not schema_migrations) so a test starts from a migrated, empty database. */
export async function truncateAll(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
    );
    if (rows.length > 0) await client.query(`TRUNCATE ${rows.map((r) => pg.escapeIdentifier(r.tablename)).join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}
