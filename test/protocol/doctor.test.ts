// `herald doctor` against loopback fixtures only: a loopback DNS server (named in the
// configuration's s2s.resolver) answers for three domains — one set up right, one whose client
// SRV record names the wrong port, one with no records — and a real server on fixed ports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackDns, type LoopbackDns } from '../interop/harness/loopback-dns.js';
import { freePort } from '../harness/federation.js';
import { ServerProcess, runCli } from '../harness/server-process.js';

let dns: LoopbackDns;
let home: string;
let file: string;
const ports = { c2s: 0, direct: 0, s2s: 0 };

beforeAll(async () => {
  ports.c2s = await freePort();
  ports.direct = await freePort();
  ports.s2s = await freePort();
  dns = await startLoopbackDns({
    'chat.test': { s2sPort: ports.s2s, c2sPort: ports.c2s },
    'broken.test': { s2sPort: ports.s2s, c2sPort: 5999 },
  });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-doctor-'));
  file = path.join(home, 'herald.yaml');
  fs.writeFileSync(
    file,
    [
      'domains: [chat.test, broken.test, missing.test]',
      'listeners:',
      `  c2s: { host: 127.0.0.1, port: ${ports.c2s} }`,
      `  c2sDirectTls: { host: 127.0.0.1, port: ${ports.direct} }`,
      '  http: { enabled: false }',
      '  https: { enabled: false }',
      `  s2s: { enabled: true, host: 127.0.0.1, port: ${ports.s2s} }`,
      's2s:',
      `  resolver: { nameservers: ['127.0.0.1:${dns.port}'] }`,
      'storage: { dataDir: ./data }',
      'certsDir: ./certs',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await dns?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('herald doctor', () => {
  it('reports each DNS problem with the record to add, and which listeners answer', async () => {
    const before = await runCli(['--config', file, 'doctor']);
    expect(before.stdout).toMatch(/\[warn\] certificate +chat\.test: none yet; herald start generates a self-signed one/);
    expect(before.stdout).toMatch(new RegExp(`\\[warn\\] port +listeners\\.c2s: nothing answers on 127\\.0\\.0\\.1:${ports.c2s}`));

    const server = await ServerProcess.startWithConfig(file);
    try {
      const result = await runCli(['--config', file, 'doctor']);
      expect(result.code).toBe(1);
      const out = result.stdout;
      expect(out).toMatch(/\[ok {2}\] config +.*herald start accepts it/);
      expect(out).toMatch(/\[warn\] certificate +chat\.test: names chat\.test; \d+ days left; self-signed: federation and strict clients refuse it/);
      expect(out).toMatch(new RegExp(`\\[ok  \\] port +listeners\\.c2s: 127\\.0\\.0\\.1:${ports.c2s} answers`));
      expect(out).toMatch(new RegExp(`\\[ok  \\] DNS +_xmpp-client\\._tcp\\.chat\\.test: ${ports.c2s} 127\\.0\\.0\\.1`));
      expect(out).toMatch(new RegExp(`\\[ok  \\] DNS +_xmpp-server\\._tcp\\.chat\\.test: ${ports.s2s} 127\\.0\\.0\\.1`));
      expect(out).toMatch(/\[warn\] DNS +_xmpps-client\._tcp\.chat\.test: NXDOMAIN \(no such name\); direct TLS on port \d+ goes unused/);
      expect(out).toMatch(new RegExp(`\\[FAIL\\] DNS +_xmpp-client\\._tcp\\.broken\\.test points at 5999 127\\.0\\.0\\.1, but this server listens on port ${ports.c2s}`));
      expect(out).toContain(`change the record's port to ${ports.c2s}: _xmpp-client._tcp.broken.test. 3600 IN SRV 0 5 ${ports.c2s} 127.0.0.1.`);
      expect(out).toMatch(new RegExp(`\\[FAIL\\] DNS +_xmpp-client\\._tcp\\.missing\\.test: NXDOMAIN \\(no such name\\); nobody elsewhere can find port ${ports.c2s}`));
      expect(out).toContain(`add: _xmpp-client._tcp.missing.test. 3600 IN SRV 0 5 ${ports.c2s} missing.test.`);
      expect(out).toContain('add: missing.test. 3600 IN A <this server');
      expect(result.stderr).toMatch(/^herald: doctor: \d+ problems to fix/m);
      // Every lookup went to the loopback server.
      expect(dns.queries.map((q) => q.name)).toEqual(expect.arrayContaining(['_xmpp-client._tcp.chat.test', '_xmpp-server._tcp.missing.test', 'missing.test']));
    } finally {
      await server.stop();
    }
  });
});
