// `herald doctor` with cluster.postgresUrl and cluster.redisUrl (issue 20): real PostgreSQL and
// Redis processes started by the test answer; the same configuration with both stopped fails
// with the cause. DNS questions go to a loopback server, never the real one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackDns, type LoopbackDns } from '../interop/harness/loopback-dns.js';
import { freePort } from '../harness/federation.js';
import { runCli } from '../harness/server-process.js';
import { startPostgres, type PostgresCluster } from '../harness/postgres.js';
import { RedisProcess } from '../harness/redis.js';

let dns: LoopbackDns;
let postgres: PostgresCluster;
let redis: RedisProcess;
let home: string;

beforeAll(async () => {
  [dns, postgres, redis] = await Promise.all([startLoopbackDns({ 'cluster.test': { s2sPort: await freePort(), c2sPort: await freePort() } }), startPostgres(), RedisProcess.start()]);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-doctor-cluster-'));
});

afterAll(async () => {
  await Promise.all([dns?.close(), postgres?.stop(), redis?.stop()]);
  fs.rmSync(home, { recursive: true, force: true });
});

function configWith(postgresUrl: string, redisUrl: string): string {
  const file = path.join(home, `herald-${fs.readdirSync(home).length}.yaml`);
  fs.writeFileSync(
    file,
    [
      'domains: [cluster.test]',
      'listeners:',
      '  c2s: { host: 127.0.0.1, port: 0 }',
      '  c2sDirectTls: { enabled: false }',
      '  http: { enabled: false }',
      '  https: { enabled: false }',
      's2s:',
      `  resolver: { nameservers: ['127.0.0.1:${dns.port}'] }`,
      'cluster:',
      `  postgresUrl: ${postgresUrl}`,
      `  redisUrl: ${redisUrl}`,
      'storage: { dataDir: ./data }',
      'certsDir: ./certs',
      '',
    ].join('\n'),
  );
  return file;
}

describe('herald doctor with a cluster configured', () => {
  it('says PostgreSQL and Redis answer, with their versions, and never prints the password', async () => {
    const url = await postgres.createDatabase('doctor_ok');
    const result = await runCli(['--config', configWith(url, redis.url), 'doctor']);
    expect(result.stdout).toMatch(/\[ok +\] +postgresql +postgres:\/\/herald:\*+@127\.0\.0\.1:\d+\/doctor_ok answers: PostgreSQL \d+/);
    expect(result.stdout).toMatch(/\[ok +\] +redis +redis:\/\/127\.0\.0\.1:\d+\S* answers: Redis \d+\.\d+/);
    expect(result.stdout).not.toContain('herald-test-password');
  });

  it('fails naming the cause and the fix when neither answers', async () => {
    const [deadPg, deadRedis] = [await freePort(), await freePort()];
    const result = await runCli(['--config', configWith(`postgres://herald:secret@127.0.0.1:${deadPg}/none`, `redis://127.0.0.1:${deadRedis}`), 'doctor']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] +postgresql +PostgreSQL at postgres:\/\/herald:\*+@127\.0\.0\.1:\d+\/none cannot be used: nothing accepts connections there/);
    expect(result.stdout).toMatch(/start PostgreSQL, or fix cluster\.postgresUrl/);
    expect(result.stdout).toMatch(/\[FAIL\] +redis +cannot use Redis at redis:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).not.toContain('secret');
  });
});
