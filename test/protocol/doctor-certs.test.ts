// `herald doctor` on certificate chains (root → intermediate → leaf from a throwaway CA trusted
// through s2s.caFiles) and `--federation` against a second, real Herald on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueCert, issueIntermediate, type TestCa } from '../interop/harness/certs.js';
import { freePort } from '../harness/federation.js';
import { ServerProcess, runCli } from '../harness/server-process.js';
import { startLoopbackDns, type LoopbackDns } from '../interop/harness/loopback-dns.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-doctor-certs-'));
let root: TestCa;
let intermediate: TestCa;
let caFile: string;
// No real DNS: a loopback server that knows none of these names.
let dns: LoopbackDns;

beforeAll(async () => {
  dns = await startLoopbackDns({});
  root = createTestCa('Doctor test root');
  intermediate = issueIntermediate(root, 'Doctor test intermediate');
  caFile = path.join(home, 'root.pem');
  fs.writeFileSync(caFile, root.cert);
});
afterAll(async () => {
  await dns?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A configuration for chat.test whose certificate file holds `chain`. */
function configWith(name: string, chain: string[], extra: string[] = []): string {
  const dir = path.join(home, name);
  fs.mkdirSync(path.join(dir, 'certs'), { recursive: true });
  const leaf = issueCert(intermediate, 'chat.test');
  fs.writeFileSync(path.join(dir, 'certs', 'chat.test.crt'), [leaf.cert, ...chain].join(''));
  fs.writeFileSync(path.join(dir, 'certs', 'chat.test.key'), leaf.key, { mode: 0o600 });
  const file = path.join(dir, 'herald.yaml');
  fs.writeFileSync(file, ['domains: [chat.test]', 'listeners:', '  c2s: { host: 127.0.0.1, port: 0 }', '  c2sDirectTls: { host: 127.0.0.1, port: 0 }', 's2s:', `  caFiles: [${caFile}]`, `  resolver: { nameservers: ['127.0.0.1:${dns.port}'] }`, ...extra, 'storage: { dataDir: ./data }', 'certsDir: ./certs', ''].join('\n'));
  return file;
}

describe('herald doctor: certificate chain', () => {
  it('a file with the leaf alone (cert.pem instead of fullchain.pem) fails, naming the missing intermediate', async () => {
    const result = await runCli(['--config', configWith('leaf-only', []), 'doctor']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/\[FAIL\] certificate chat\.test: .*issued by "CN=Doctor test intermediate", which this machine does not trust: the intermediate certificate is missing \(with Let's Encrypt use fullchain\.pem, not cert\.pem\)/);
  });

  it('leaf then intermediate (fullchain.pem) passes', async () => {
    const result = await runCli(['--config', configWith('full', [intermediate.cert]), 'doctor']);
    expect(result.stdout).not.toMatch(/intermediate certificate is missing|did not issue/);
    expect(result.stdout).toMatch(/\[ok\s*\] certificate chat\.test: names chat\.test/);
  });

  it('an unrelated certificate after the leaf is reported as the wrong order', async () => {
    const stranger = createTestCa('Someone else');
    const result = await runCli(['--config', configWith('wrong', [stranger.cert]), 'doctor']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/certificate 2 in .* \(CN=Someone else\) did not issue certificate 1/);
  });
});

describe('herald doctor --federation', () => {
  let peer: ServerProcess;
  let peerS2s: number;
  beforeAll(async () => {
    peerS2s = await freePort();
    // Its dialback check of chat.test must not reach real DNS: a static route to a closed port.
    peer = await ServerProcess.start({ domains: [{ name: 'peer.test' }], s2sPort: peerS2s, extraYaml: `s2s:\n  routes:\n    chat.test: 127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => {
    await peer?.stop();
    peer?.cleanup();
  });

  it('connects to the named domain the way a federation link does and reports each step', async () => {
    const file = configWith('federation', [intermediate.cert], ['  routes:', `    peer.test: 127.0.0.1:${peerS2s}`]);
    const result = await runCli(['--config', file, 'doctor', '--federation', 'peer.test']);
    expect(result.stdout).toMatch(/\[ok\s*\] federation TCP connected to 127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/\[ok\s*\] federation TLS STARTTLS: TLSv1\.3/);
    // Dialback needs peer.test to reach this (not running) server: a failure that says so.
    expect(result.stdout).toMatch(/\[FAIL\] federation auth dialback: peer\.test could not verify our key/);
  });

  it('an unreachable domain is a failure with its reason', async () => {
    const closed = await freePort();
    const file = configWith('federation-down', [intermediate.cert], ['  routes:', `    gone.test: 127.0.0.1:${closed}`]);
    const result = await runCli(['--config', file, 'doctor', '--federation', 'gone.test']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/\[FAIL\] federation TCP cannot connect: connection to 127\.0\.0\.1:\d+ refused/);
  });
});
