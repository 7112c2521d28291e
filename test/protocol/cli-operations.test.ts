// Running Herald for real (issue 20, "Found"): which data the CLI uses, config check = start's
// checks, failed logins in the log (and fail2ban's filter over them), certificate fingerprints,
// and the smaller admin papercuts. Every CLI call runs the real built CLI.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLogFormat } from '../../src/util/log-format.js';
import { CLI, REPO_ROOT, ServerProcess, runCli } from '../harness/server-process.js';
import { connectSecured, scramAuth } from '../harness/login.js';

const run = promisify(execFile);
let server: ServerProcess;
let scratch: string;

beforeAll(async () => {
  server = await ServerProcess.start();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-ops-'));
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A folder holding only `herald.yaml` with `yaml`; returns the file. */
function configIn(name: string, yaml: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'herald.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

function emptyFolder(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('which configuration and data the CLI uses', () => {
  it('run from another folder with no config file, it uses the installation config and data (not ./data)', async () => {
    const elsewhere = emptyFolder('elsewhere');
    const result = await runCli(['config', 'check'], undefined, elsewhere);
    expect(result.stdout).toContain(`OK ${path.join(REPO_ROOT, 'config', 'herald.yaml')}`);
    expect(result.stdout).toContain(`data: ${path.join(REPO_ROOT, 'data')};`);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('relative paths in a config file resolve against its folder; a database no server used is announced loudly', async () => {
    const file = configIn('fresh', 'domains: [localhost]\nstorage: { dataDir: ./data }\ncertsDir: ./certs\n');
    const elsewhere = emptyFolder('elsewhere-2');
    const result = await runCli(['--config', file, 'user', 'add', 'dan@localhost', '--password-stdin'], 'long-enough-pw', elsewhere);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: there is no database at .*fresh\/data\/herald\.sqlite, so no server has run with this configuration/);
    expect(fs.existsSync(path.join(path.dirname(file), 'data', 'herald.sqlite'))).toBe(true);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    // The running server's database exists: no warning for it.
    expect((await server.cli(['user', 'list'])).stderr).toBe('');
  });

  it('the start-up banner names --config and the certificate fingerprint that `cert show` prints', async () => {
    const banner = await server.waitForStderr('Add a user:');
    expect(banner).toMatch(new RegExp(`Add a user: .* --config ${server.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} user add alice@localhost`));
    const fingerprint = new X509Certificate(fs.readFileSync(path.join(server.dir, 'certs', 'localhost.crt'))).fingerprint256;
    expect(banner).toContain(`Certificate localhost: SHA-256 ${fingerprint}`);
    const shown = await server.cli(['cert', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`SHA-256:  ${fingerprint}`);
    expect(shown.stdout).toMatch(/SHA-1:\s+([0-9A-F]{2}:){19}[0-9A-F]{2}/);
    expect(shown.stdout).toMatch(/names:\s+localhost\n/);
    expect(shown.stdout).toMatch(/issuer:\s+self-signed/);
    expect(shown.stdout).toMatch(/valid: .* \(8\d\d days left\)/);
    expect((await server.cli(['cert', 'show', 'nosuch.example'])).code).toBe(1);
  });
});

describe('herald config check runs the checks herald start runs', () => {
  it('reports every problem start refuses: missing certificate file, unknown module, certificate for another name, two listeners on one port', async () => {
    const other = path.join(scratch, 'other-certs');
    expect((await runCli(['cert', 'generate', 'other.example', '--out', other])).code).toBe(0);
    const file = configIn(
      'broken',
      [
        'domains:',
        '  - name: a.example',
        '    tls: { cert: ./missing.crt, key: ./missing.key }',
        '  - name: b.example',
        '    tls:',
        `      cert: ${other}/other.example.crt`,
        `      key: ${other}/other.example.key`,
        'listeners:',
        '  c2s: { host: 127.0.0.1, port: 15999 }',
        '  c2sDirectTls: { host: 0.0.0.0, port: 15999 }',
        'modules:',
        '  nosuchmodule: {}',
        'storage: { dataDir: ./data }',
        '',
      ].join('\n'),
    );
    const check = await runCli(['--config', file, 'config', 'check'], undefined, path.dirname(file));
    expect(check.code).toBe(1);
    expect(check.stdout).not.toMatch(/^OK/m);
    expect(check.stdout).toMatch(/^error: herald\.yaml:12: modules\.nosuchmodule: .*found unknown module 'nosuchmodule'$/m);
    expect(check.stdout).toMatch(/^error: herald\.yaml:10: listeners\.c2sDirectTls\.port: .*found 15999, which listeners\.c2s uses too$/m);
    expect(check.stdout).toMatch(/^error: herald\.yaml:3: domains\[0\]\.tls\.cert: cannot read .*missing\.crt \(ENOENT\)$/m);
    expect(check.stdout).toMatch(/^error: herald\.yaml:6: domains\[1\]\.tls\.cert: expected a certificate naming b\.example, found one naming other\.example$/m);
    expect(check.stderr).toMatch(/4 errors in .*herald start would refuse this configuration/);

    const start = await runCli(['--config', file, 'start'], undefined, path.dirname(file));
    expect(start.code).toBe(1);
    for (const line of check.stdout.trim().split('\n')) expect(start.stderr).toContain(line.replace(/^error: /, 'herald: '));
  });

  it('a key that is not the certificate\'s, and half a pair in certsDir, as start would refuse them', async () => {
    const pairs = path.join(scratch, 'pairs');
    for (const d of ['one.example', 'two.example']) expect((await runCli(['cert', 'generate', d, '--out', pairs])).code).toBe(0);
    const file = configIn(
      'mismatch',
      ['domains:', '  - name: one.example', '    tls:', `      cert: ${pairs}/one.example.crt`, `      key: ${pairs}/two.example.key`, '  - name: half.example', 'certsDir: ./certs', ''].join('\n'),
    );
    fs.mkdirSync(path.join(path.dirname(file), 'certs'));
    fs.copyFileSync(path.join(pairs, 'one.example.crt'), path.join(path.dirname(file), 'certs', 'half.example.crt'));
    const check = await runCli(['--config', file, 'config', 'check'], undefined, path.dirname(file));
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^error: herald\.yaml:5: domains\[0\]\.tls\.key: expected the private key of the certificate, found a key that does not match it$/m);
    expect(check.stdout).toMatch(/^error: .*half\.example\.crt exists but .*half\.example\.key does not; provide both or remove .*half\.example\.crt to generate a new pair$/m);
  });

  it('`domains: []` says the list is empty', async () => {
    const result = await runCli(['--config', configIn('no-domains', 'domains: []\n'), 'config', 'check']);
    expect(result.stderr).toMatch(/domains: expected a list of at least one domain, found an empty list$/m);
  });
});

describe('failed logins are logged for the admin and for fail2ban', () => {
  it('each failure: account, remote address, mechanism, reason — at warn, with no password material', async () => {
    await server.addUser('fay@localhost', 'fays-real-password');
    for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
      const { client } = await connectSecured(server.ports.c2s, 'localhost');
      expect((await scramAuth(client, mechanism, 'fay', 'a-wrong-guess-123')).ok).toBe(false);
      client.destroy();
    }
    const isFailure = (e: { msg: string; mechanism?: unknown }) => e.msg === 'authentication failed' && e.mechanism === 'SCRAM-SHA-256';
    await server.waitForLog(isFailure);
    const failures = server.logs.filter((e) => e.msg === 'authentication failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 'warn', account: 'fay@localhost', address: '127.0.0.1', mechanism: 'SCRAM-SHA-1', reason: 'not-authorized' });
    const everything = server.logs.map((e) => JSON.stringify(e)).join('\n');
    expect(everything).not.toContain('a-wrong-guess-123');
    expect(everything).not.toContain('fays-real-password');

    // The shipped filter over those very lines (pino's key order survives JSON.parse/stringify).
    const logFile = path.join(scratch, 'herald.log');
    fs.writeFileSync(logFile, server.logs.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const filter = path.join(REPO_ROOT, 'docs', 'fail2ban', 'filter.d', 'herald.conf');
    const f2b = await run('fail2ban-regex', ['--print-all-matched', logFile, filter]).catch((e: { stdout?: string; message: string }) => {
      throw new Error(`fail2ban-regex (Debian package fail2ban, installed by .ci/run) failed: ${e.message}`);
    });
    expect(f2b.stdout).toMatch(/Failregex: 2 total/);
    expect(f2b.stdout).toMatch(/127\.0\.0\.1/);
    expect(f2b.stdout).toMatch(/Lines: \d+ lines, 0 ignored, 2 matched, \d+ missed/);
  });
});

describe('smaller admin papercuts', () => {
  it('`user list nosuch.domain` is an error, not an empty list', async () => {
    const result = await server.cli(['user', 'list', 'nosuch.domain']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^herald: domain 'nosuch\.domain' is not served by this configuration/);
  });

  it('auth.minPasswordLength (default 8) refuses short new passwords; existing accounts are unaffected', async () => {
    const file = configIn('minpw', 'domains: [localhost]\nstorage: { dataDir: ./data }\n');
    const short = await runCli(['--config', file, 'user', 'add', 'gus@localhost', '--password-stdin'], 'x');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters long \(auth\.minPasswordLength\); this one has 1/);
    expect((await runCli(['--config', file, 'user', 'add', 'gus@localhost', '--password-stdin'], '12345678')).code).toBe(0);
    // The test server allows 1 character: its short-password account logs in as before.
    await server.addUser('hal@localhost', 'x');
    const { client } = await connectSecured(server.ports.c2s, 'localhost');
    expect((await scramAuth(client, 'SCRAM-SHA-1', 'hal', 'x')).ok).toBe(true);
    client.destroy();
  });

  it('`user del` without a terminal refuses unless --yes, and keeps the account', async () => {
    await server.addUser('ida@localhost', 'ida-password');
    const refused = await server.cli(['user', 'del', 'ida@localhost']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nobody can confirm: add --yes/);
    expect((await server.cli(['user', 'list'])).stdout).toContain('ida@localhost');
    expect((await server.cli(['user', 'del', 'ida@localhost', '--yes'])).code).toBe(0);
  });

  it('a certificate error names the config line', async () => {
    const file = configIn('badcert', 'domains:\n  - name: localhost\n    tls:\n      cert: ./nope.crt\n      key: ./nope.key\n');
    const result = await runCli(['--config', file, 'start'], undefined, path.dirname(file));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/herald\.yaml:4: domains\[0\]\.tls\.cert: cannot read/);
  });

  it('`s2s check` says federation is switched off', async () => {
    const file = configIn('nofed', 'domains: [localhost]\ns2s:\n  connectTimeoutSeconds: 2\n  routes: { peer.test: "127.0.0.1:1" }\n');
    const result = await runCli(['--config', file, 's2s', 'check', 'peer.test']);
    expect(result.stdout).toMatch(/^note: federation is off in .*listeners\.s2s\.enabled is false/m);
  });

  it('`npm start` does not compile again right after `npm install` built it', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).not.toMatch(/npm run build/);
    const firstStep = pkg.scripts.start!.split('&&')[0]!.trim().split(' ');
    const { stderr } = await run(firstStep[0]!, firstStep.slice(1), { cwd: REPO_ROOT });
    expect(stderr.trim()).toBe('build is up to date');
  });
});

describe('start-up warnings are readable on a terminal, JSON lines otherwise or on request', () => {
  it('text on a TTY, JSON when piped, either when asked', () => {
    expect(chooseLogFormat(undefined, true)).toBe('text');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(() => chooseLogFormat('xml', false)).toThrow(/expected 'json' or 'text', found 'xml'/);
  });

  it('--log-format text prints a warning as one readable line, not JSON', async () => {
    const file = configIn('textlog', 'domains: [localhost]\nlisteners:\n  c2s: { host: 127.0.0.1, port: 0 }\n  c2sDirectTls: { host: 127.0.0.1, port: 0 }\n  http: { enabled: false }\n  https: { enabled: false }\nstorage: { dataDir: ./data }\ncertsDir: ./certs\n');
    const certs = path.join(path.dirname(file), 'certs');
    expect((await runCli(['cert', 'generate', 'localhost', '--out', certs])).code).toBe(0);
    fs.chmodSync(path.join(certs, 'localhost.key'), 0o644);
    const child = spawn(process.execPath, [CLI, '--config', file, 'start', '--log-format', 'text'], { cwd: path.dirname(file), stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (/ INFO {2}server ready /.test(line)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${lines.join('\n')}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d WARN {2}.*localhost\.key: private key is readable by other users; chmod 600 it$/));
  });
});
