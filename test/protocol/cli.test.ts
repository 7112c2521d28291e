// The admin CLI against a running server: account changes take effect on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, runCli } from '../harness/server-process.js';
import { connectSecured, scramAuth } from '../harness/login.js';

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({ domains: [{ name: 'localhost' }, { name: 'second.test' }] });
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function canLogin(user: string, password: string, domain = 'localhost'): Promise<boolean> {
  const { client } = await connectSecured(server.ports.c2s, domain);
  const result = await scramAuth(client, 'SCRAM-SHA-1', user, password);
  client.destroy();
  return result.ok;
}

describe('herald user', () => {
  it('add, list, passwd, del — each visible to the running server', async () => {
    expect((await server.cli(['user', 'add', 'erin@localhost', '--password-stdin'], 'first-pw\n')).code).toBe(0);
    expect((await server.cli(['user', 'add', 'frank@second.test', '--password-stdin'], 'x')).code).toBe(0);
    expect(await canLogin('erin', 'first-pw')).toBe(true);

    const all = await server.cli(['user', 'list']);
    expect(all.stdout.trim().split('\n')).toEqual(['erin@localhost', 'frank@second.test']);
    expect((await server.cli(['user', 'list', 'second.test'])).stdout.trim()).toBe('frank@second.test');

    expect((await server.cli(['user', 'passwd', 'erin@localhost', '--password-stdin'], 'second-pw')).code).toBe(0);
    expect(await canLogin('erin', 'first-pw')).toBe(false);
    expect(await canLogin('erin', 'second-pw')).toBe(true);

    expect((await server.cli(['user', 'del', 'erin@localhost', '--yes'])).code).toBe(0);
    expect(await canLogin('erin', 'second-pw')).toBe(false);
    expect((await server.cli(['user', 'list'])).stdout.trim()).toBe('frank@second.test');
  });

  it('stores no plaintext: the password does not appear in the database file', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    await server.addUser('grace@localhost', 'very-distinctive-password');
    const dataDir = path.join(server.dir, 'data');
    for (const file of fs.readdirSync(dataDir)) {
      // Files only: the running server's admin socket (admin.sock) lives here too.
      if (!fs.statSync(path.join(dataDir, file)).isFile()) continue;
      expect(fs.readFileSync(path.join(dataDir, file)).includes('very-distinctive-password')).toBe(false);
    }
  });

  it('errors are one clear line with a non-zero exit code', async () => {
    const duplicate = await server.cli(['user', 'add', 'frank@second.test', '--password-stdin'], 'y');
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr.trim()).toBe('herald: account frank@second.test already exists');
    const foreign = await server.cli(['user', 'add', 'x@elsewhere.example', '--password-stdin'], 'y');
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/domain 'elsewhere.example' is not served/);
    expect(foreign.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await server.cli(['user', 'del', 'nobody@localhost', '--yes']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('herald: no account nobody@localhost');
  });

  it('--help works on every command', async () => {
    for (const args of [['--help'], ['user', '--help'], ['user', 'add', '--help'], ['cert', 'generate', '--help'], ['config', 'check', '--help'], ['start', '--help']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: herald/);
    }
  });
});

describe('herald config check', () => {
  it('accepts the running configuration', async () => {
    const result = await server.cli(['config', 'check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK /);
  });

  it('names the file, the key and the expectation for a bad value', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const bad = path.join(server.dir, 'bad.yaml');
    fs.writeFileSync(bad, 'domains:\n  - name: localhost\nlimits:\n  maxStanzaBytes: lots\n');
    const result = await runCli(['--config', bad, 'config', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:4: limits\.maxStanzaBytes: expected .*found "lots"/);
  });
});

describe('herald cert generate', () => {
  it('writes a certificate naming the domain', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { X509Certificate } = await import('node:crypto');
    const out = path.join(server.dir, 'generated');
    const result = await runCli(['cert', 'generate', 'chat.example', '--out', out]);
    expect(result.code).toBe(0);
    const cert = new X509Certificate(fs.readFileSync(path.join(out, 'chat.example.crt')));
    expect(cert.checkHost('chat.example')).toBe('chat.example');
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect((await runCli(['cert', 'generate', 'chat.example', '--out', out])).code).toBe(1);
  });

  it('--key-type rsa writes an RSA certificate; other key types are refused', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { X509Certificate } = await import('node:crypto');
    const out = path.join(server.dir, 'generated-rsa');
    expect((await runCli(['cert', 'generate', 'old.example', '--out', out, '--key-type', 'rsa'])).code).toBe(0);
    expect(new X509Certificate(fs.readFileSync(path.join(out, 'old.example.crt'))).publicKey.asymmetricKeyType).toBe('rsa');
    const bad = await runCli(['cert', 'generate', 'dsa.example', '--out', out, '--key-type', 'dsa']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("herald: --key-type: expected 'ec' or 'rsa', found 'dsa'");
    expect(fs.existsSync(path.join(out, 'dsa.example.crt'))).toBe(false);
    expect((await runCli(['cert', 'generate', '--help'])).stdout).toMatch(/--key-type <type>\s+'ec' \(ECDSA P-256/);
  });
});
