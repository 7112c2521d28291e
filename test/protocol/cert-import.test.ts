// Certificates for real domains (issue 20): `herald cert import` from a certbot live folder, run
// through the shipped certbot deploy hook against a running server, which then presents the new
// certificate on the wire without a restart; and the expiry warning from 14 days before.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, ServerProcess, runCli } from '../harness/server-process.js';

const run = promisify(execFile);
let server: ServerProcess;
let scratch: string;

beforeAll(async () => {
  server = await ServerProcess.start({ domains: [{ name: 'localhost' }, { name: 'second.test' }] });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cert-'));
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A folder laid out like /etc/letsencrypt/live/<name>: fullchain.pem and privkey.pem. */
async function liveFolder(name: string, domain: string, days = 90): Promise<{ dir: string; fingerprint: string }> {
  const dir = path.join(scratch, name);
  expect((await runCli(['cert', 'generate', domain, '--out', dir, '--days', String(days)])).code).toBe(0);
  fs.renameSync(path.join(dir, `${domain}.crt`), path.join(dir, 'fullchain.pem'));
  fs.renameSync(path.join(dir, `${domain}.key`), path.join(dir, 'privkey.pem'));
  return { dir, fingerprint: new X509Certificate(fs.readFileSync(path.join(dir, 'fullchain.pem'))).fingerprint256 };
}

function presentedFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false, ALPNProtocols: ['xmpp-client'] }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('herald cert import', () => {
  it("the certbot deploy hook installs a renewed certificate and the running server serves it at once", async () => {
    const { dir, fingerprint } = await liveFolder('live-localhost', 'localhost');
    expect(await presentedFingerprint(server.ports.directTls, 'localhost')).not.toBe(fingerprint);
    const hook = path.join(REPO_ROOT, 'docs', 'certbot', 'herald-deploy-hook.sh');
    const result = await run(hook, [], { env: { ...process.env, HERALD: `${process.execPath} ${CLI}`, HERALD_CONFIG: server.configFile, RENEWED_LINEAGE: dir } });
    expect(result.stdout).toContain(`installed for localhost: SHA-256 ${fingerprint}`);
    expect(result.stdout).toContain('the running server reloaded its certificates');
    expect(await presentedFingerprint(server.ports.directTls, 'localhost')).toBe(fingerprint);
    // second.test is not named by the certificate: untouched.
    expect(result.stdout).not.toContain('second.test');
    expect(fs.statSync(path.join(server.dir, 'certs', 'localhost.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses a certificate for none of the served domains, or a key that does not match, and changes nothing', async () => {
    const before = fs.readFileSync(path.join(server.dir, 'certs', 'localhost.crt'), 'utf8');
    const foreign = await liveFolder('live-foreign', 'foreign.example');
    const refused = await server.cli(['cert', 'import', foreign.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('herald: the certificate names foreign.example, none of: localhost, second.test');
    const other = await liveFolder('live-other', 'localhost');
    fs.copyFileSync(path.join(foreign.dir, 'privkey.pem'), path.join(other.dir, 'privkey.pem'));
    const mismatched = await server.cli(['cert', 'import', other.dir]);
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toMatch(/privkey\.pem: expected the private key of the certificate/);
    expect(fs.readFileSync(path.join(server.dir, 'certs', 'localhost.crt'), 'utf8')).toBe(before);
  });
});

describe('certificate expiry', () => {
  it('a certificate expiring within 14 days is a warning in config check and in the start-up log', async () => {
    const home = path.join(scratch, 'expiring');
    const file = path.join(home, 'herald.yaml');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(file, 'domains: [localhost]\nlisteners:\n  c2s: { host: 127.0.0.1, port: 0 }\n  c2sDirectTls: { host: 127.0.0.1, port: 0 }\n  http: { enabled: false }\n  https: { enabled: false }\nstorage: { dataDir: ./data }\ncertsDir: ./certs\n');
    expect((await runCli(['cert', 'generate', 'localhost', '--out', path.join(home, 'certs'), '--days', '10'])).code).toBe(0);
    const check = await runCli(['--config', file, 'config', 'check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^warning: .*localhost\.crt: certificate expires in [89] days \(.*\); renew it$/m);
    expect(check.stdout).toMatch(/^OK \(1 warning\)/m);

    const started = await ServerProcess.startWithConfig(file);
    await started.stop();
    expect(started.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/certificate expires in [89] days/) }));
  });
});
