// Process helpers shared by the interop peers: free loopback ports, waiting for a listener,
// running a peer's own CLI tool, and stopping exactly the process we started, by PID.
import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A currently free TCP port on 127.0.0.1 (bind to 0, read, release). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects if `child` exits first or on timeout. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess, describe = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited (code ${child.exitCode}) before listening on ${port}${describe()}`);
    if (child && child.signalCode !== null) throw new Error(`process killed (${child.signalCode}) before listening on ${port}${describe()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ServiceUser {
  uid: number;
  gid: number;
  name: string;
}

/**
 * When we are root, the system account a peer should run as (`prosody`, `ejabberd`), so the peer
 * never runs as root; undefined when not root (the peer then runs as the current user).
 */
export function serviceUser(name: string): ServiceUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid, name };
}

/** chown -R, for a peer's own temp dir only. */
export function chownTree(dir: string, user: ServiceUser | undefined): void {
  if (!user) return;
  const walk = (p: string): void => {
    fs.chownSync(p, user.uid, user.gid);
    if (fs.statSync(p).isDirectory()) for (const entry of fs.readdirSync(p)) walk(`${p}/${entry}`);
  };
  walk(dir);
}

/** Runs a command to completion, capturing output; rejects on non-zero exit or timeout. */
export function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out; stdout: ${stdout} stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr, ms: Date.now() - started });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}; stdout: ${stdout} stderr: ${stderr}`));
    });
  });
}

/**
 * Stops one process we started: SIGTERM to its PID, wait, then SIGKILL if it lingers.
 * Only ever signals `child.pid` (never a name or a group).
 */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
  if (timedOut && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await exited;
  }
}

/** Last `n` characters of a file, or '' if missing (for error messages). */
export function tail(file: string, n = 3000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-n);
  } catch {
    return '';
  }
}

/** PIDs whose parent is `pid` (scans /proc/<n>/stat; Linux only). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the ppid; field 2 (comm) is parenthesised and may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* process went away */
    }
  }
  return out;
}

/** The executable name of a PID (from /proc/<pid>/comm), or '' if gone. */
export function pidName(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Whether a PID still exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Stops a VM started under a wrapper script (ejabberdctl runs erl as its child, not via exec):
 * SIGTERM the VM's own PID, wait for it and the wrapper to exit, SIGKILL the VM PID if it lingers.
 */
export async function stopWrapped(wrapper: ChildProcess, vmPid: number | undefined, graceMs = 15_000): Promise<void> {
  if (vmPid === undefined || !pidAlive(vmPid)) return stopChild(wrapper, graceMs);
  try {
    process.kill(vmPid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(vmPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(vmPid)) {
    try {
      process.kill(vmPid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await stopChild(wrapper, 5_000);
}

/** Waits until `file` contains a match for `pattern` (peers' loggers write asynchronously). */
export async function waitForLog(file: string, pattern: RegExp, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = tail(file, 1_000_000);
    const m = pattern.exec(text);
    if (m) return m[0];
    if (Date.now() > deadline) throw new Error(`${pattern} not found in ${file} within ${timeoutMs} ms; tail:\n${tail(file)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
