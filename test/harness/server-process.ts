// Starts a real Herald server process (the built CLI) on ephemeral ports with its own temporary
// config, data and certificate folders, and stops it by PID.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface DomainOptions {
  name: string;
  registration?: boolean;
}

export interface ServerOptions {
  domains?: DomainOptions[];
  /** Extra YAML appended to the generated configuration (e.g. limits). */
  extraYaml?: string;
  env?: NodeJS.ProcessEnv;
  /** Enables the s2s listener on this port (federation tests pick free ports up front). */
  s2sPort?: number;
  /** Enables the direct-TLS s2s listener (listeners.s2sTls, XEP-0368) on this port; needs s2sPort. */
  s2sTlsPort?: number;
}

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export class ServerProcess {
  private exitPromise: Promise<number | null>;

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly child: ChildProcess,
    readonly ports: { c2s: number; directTls: number },
    private readonly options: ServerOptions,
    /** Every JSON log line the process printed so far, in order. */
    readonly logs: LogLine[],
    private readonly logWaiters: Set<(entry: LogLine) => void>,
    /** Everything the process wrote to standard error so far (the human banner). */
    private readonly stderrChunks: string[],
  ) {
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-test-'));
    return ServerProcess.spawn(dir, writeConfig(dir, options), options);
  }

  /** A server on a configuration file a test wrote itself (both c2s listeners enabled); cleanup() is the test's. */
  static async startWithConfig(configFile: string): Promise<ServerProcess> {
    return ServerProcess.spawn(path.dirname(configFile), configFile, {});
  }

  /** A new server process on the same configuration and data (after stop() or kill()). */
  async restart(): Promise<ServerProcess> {
    return ServerProcess.spawn(this.dir, this.configFile, this.options);
  }

  private static async spawn(dir: string, configFile: string, options: ServerOptions): Promise<ServerProcess> {
    const child = spawn(process.execPath, [CLI, '--config', configFile, 'start'], {
      cwd: dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One reader for the process's whole life: a second readline on the same pipe would only
    // see the chunks that arrive after it was created, and silently miss lines.
    const logs: LogLine[] = [];
    const waiters = new Set<(entry: LogLine) => void>();
    const stderrChunks: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderrChunks.push(chunk.toString()));
    const ports = await new Promise<{ c2s: number; directTls: number }>((resolve, reject) => {
      const found: Record<string, number> = {};
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let entry: LogLine;
        try {
          entry = JSON.parse(line) as LogLine;
        } catch {
          return;
        }
        logs.push(entry);
        for (const waiter of [...waiters]) waiter(entry);
        if (typeof entry.listener === 'string' && typeof entry.port === 'number') found[entry.listener] = entry.port;
        // Ready means fully started (admin socket included), not merely listening.
        if (entry.msg === 'server ready' && found.c2s !== undefined && found['c2s-direct-tls'] !== undefined) {
          resolve({ c2s: found.c2s, directTls: found['c2s-direct-tls'] });
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderrChunks.join('')}`)));
    });
    const server = new ServerProcess(dir, configFile, child, ports, options, logs, waiters, stderrChunks);
    return server;
  }

  /** The port a listener (`https`, `http`, …) was bound to, from its start-up log line. */
  listenerPort(name: string): number {
    const line = this.logs.find((l) => l.listener === name && typeof l.port === 'number');
    if (!line) throw new Error(`listener ${name} is not running`);
    return line.port as number;
  }

  /** Resolves with the first log line (already written or still to come) that matches. */
  waitForLog(match: (entry: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.logWaiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (entry: LogLine) => {
        if (!match(entry)) return;
        clearTimeout(timer);
        this.logWaiters.delete(waiter);
        resolve(entry);
      };
      this.logWaiters.add(waiter);
    });
  }

  /** Resolves with standard error once it contains `text` (the banner is written around the ready line). */
  async waitForStderr(text: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderrChunks.join('').includes(text)) {
      if (Date.now() > deadline) throw new Error(`standard error never contained ${JSON.stringify(text)}: ${this.stderrChunks.join('')}`);
      await new Promise((resolve) => this.child.stderr!.once('data', resolve).once('close', resolve));
    }
    return this.stderrChunks.join('');
  }

  /** Runs the real CLI against this server's configuration. */
  async cli(args: string[], stdin?: string): Promise<{ stdout: string; stderr: string; code: number }> {
    return runCli(['--config', this.configFile, ...args], stdin, this.dir);
  }

  async addUser(jid: string, password: string): Promise<void> {
    const result = await this.cli(['user', 'add', jid, '--password-stdin'], password);
    if (result.code !== 0) throw new Error(`user add failed: ${result.stderr}`);
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exitPromise;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function runCli(args: string[], stdin?: string, cwd = REPO_ROOT, env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(stdin ?? '');
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { stdout, stderr, code };
}

function writeConfig(dir: string, options: ServerOptions): string {
  const domains = options.domains ?? [{ name: 'localhost' }];
  const yaml = [
    'domains:',
    ...domains.flatMap((d) => [`  - name: ${d.name}`, `    registration:`, `      enabled: ${d.registration ?? false}`]),
    'listeners:',
    '  c2s: { host: 127.0.0.1, port: 0 }',
    '  c2sDirectTls: { host: 127.0.0.1, port: 0 }',
    '  http: { host: 127.0.0.1, port: 0 }',
    '  https: { host: 127.0.0.1, port: 0 }',
    ...(options.s2sPort === undefined ? [] : [`  s2s: { enabled: true, host: 127.0.0.1, port: ${options.s2sPort} }`]),
    ...(options.s2sTlsPort === undefined ? [] : [`  s2sTls: { enabled: true, host: 127.0.0.1, port: ${options.s2sTlsPort} }`]),
    'certsDir: ./certs',
    'storage:',
    '  dataDir: ./data',
    'logging:',
    '  level: debug',
    // Tests use short throwaway passwords; the minimum is tested on its own.
    ...(options.extraYaml?.includes('auth:') ? [] : ['auth:', '  minPasswordLength: 1']),
    options.extraYaml ?? '',
  ].join('\n');
  const file = path.join(dir, 'herald.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

export { run };
