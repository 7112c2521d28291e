// What docs/deployment.md ships: the systemd unit (checked by systemd's own tools), the
// production and container configurations (accepted by `herald config check` as they are, with
// only the folders moved into a scratch directory), and the admin commands the walkthrough runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const UNIT = path.join(ROOT, 'deploy', 'systemd', 'herald.service');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-deploy-'));

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function herald(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: scratch, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('deploy/systemd/herald.service', () => {
  it('passes systemd-analyze verify', () => {
    const result = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // verify prints warnings (unknown keys, bad values) but still exits 0 for some of them.
    expect(result.stderr.trim()).toBe('');
  });

  it('is hardened: systemd-analyze security rates its exposure at most 2 ("OK")', () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT], { encoding: 'utf8' });
    const score = /Overall exposure level for herald\.service: ([0-9.]+)/.exec(result.stdout);
    expect(score, result.stdout + result.stderr).not.toBeNull();
    expect(Number(score![1])).toBeLessThanOrEqual(2);
    const unit = fs.readFileSync(UNIT, 'utf8');
    for (const line of ['User=herald', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/herald', 'LimitNOFILE=1048576', 'CapabilityBoundingSet=']) {
      expect(unit).toContain(`\n${line}\n`);
    }
    // V8's JIT writes executable memory: this setting would kill Node at start.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });
});

describe('configurations shipped for deployment', () => {
  it('deploy/herald.yaml (the production example) passes config check with a certificate for its domain', async () => {
    const env = { HERALD_CERTS_DIR: path.join(scratch, 'prod', 'certs'), HERALD_DATA_DIR: path.join(scratch, 'prod', 'data') };
    const config = path.join(ROOT, 'deploy', 'herald.yaml');
    expect((await herald(['--config', config, 'cert', 'generate', 'example.org', '--out', env.HERALD_CERTS_DIR], env)).code).toBe(0);
    const after = await herald(['--config', config, 'config', 'check'], env);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('step 8 of the walkthrough works on that configuration: user add and an invitation for a friend', async () => {
    const env = { HERALD_CERTS_DIR: path.join(scratch, 'prod', 'certs'), HERALD_DATA_DIR: path.join(scratch, 'prod', 'data') };
    const config = path.join(ROOT, 'deploy', 'herald.yaml');
    const added = await herald(['--config', config, 'user', 'add', 'you@example.org', '--password-stdin'], env, 'a long enough password\n');
    expect(added.code, added.stderr).toBe(0);
    const invite = await herald(['--config', config, 'invite', 'create', '--contact', 'you@example.org'], env);
    expect(invite.code, invite.stderr).toBe(0);
    expect(invite.stdout).toMatch(/^xmpp:you@example\.org\?roster;preauth=[A-Za-z0-9_-]+;ibr=y$/m);
  });

  it('deploy/docker/herald.yaml (the container configuration) serves HERALD_DOMAINS', async () => {
    const env = { HERALD_DOMAINS: 'chat.example.net', HERALD_CERTS_DIR: path.join(scratch, 'docker', 'certs'), HERALD_DATA_DIR: path.join(scratch, 'docker', 'data') };
    const config = path.join(ROOT, 'deploy', 'docker', 'herald.yaml');
    expect((await herald(['--config', config, 'cert', 'generate', 'chat.example.net', '--out', env.HERALD_CERTS_DIR], env)).code).toBe(0);
    const check = await herald(['--config', config, 'config', 'check'], env);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });
});

describe('docs/deployment.md', () => {
  it('names only herald commands that exist', async () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'deployment.md'), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
    const used = new Set([...blocks.matchAll(/(?:^|&& |exec herald )herald ([a-z0-9-]+)(?: ([a-z0-9-]+))?/gm)].map((m) => [m[1], m[2]].filter(Boolean).join(' ')));
    expect(used.size).toBeGreaterThan(4);
    const helpOf = new Map<string, string>();
    const help = async (top: string): Promise<string> => {
      if (!helpOf.has(top)) {
        const result = await herald([top, '--help'], {});
        expect(result.code, `herald ${top} --help`).toBe(0);
        helpOf.set(top, result.stdout);
      }
      return helpOf.get(top)!;
    };
    // `herald <unknown> --help` prints the top-level help and exits 0: check names against it.
    const topLevel = (await herald(['--help'], {})).stdout;
    for (const command of used) {
      const [top, sub] = command.split(' ');
      expect(topLevel, `herald ${top}`).toMatch(new RegExp(`\\n  ${top}\\b`));
      const text = await help(top!);
      if (sub && /Commands:/.test(text)) expect(text, `herald ${command}`).toMatch(new RegExp(`\\n  ${sub}\\b`));
    }
  }, 60_000);

  it('points at files that exist in the repository', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'deployment.md'), 'utf8');
    for (const file of ['deploy/herald.yaml', 'deploy/systemd/herald.service', 'docs/certbot/herald-deploy-hook.sh', 'deploy/docker/Dockerfile', 'deploy/docker/compose.yaml']) {
      expect(doc).toContain(file.replace(/^docs\//, ''));
      expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
    }
  });
});
