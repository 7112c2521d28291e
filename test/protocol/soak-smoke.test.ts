// `npm run soak` in miniature against a real Herald process (scripts/soak/run.mjs starts its own), so the
// soak cannot rot: every load loop and every misbehaving client runs, nothing is lost, memory is read
// through the admin command process.memory (with a forced GC) and the verdict is computed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/server-process.js';

const run = promisify(execFile);

interface Sample {
  phase: string;
  collected: boolean;
  heapUsed: number;
  rss: number;
}

interface SoakReport {
  stats: Record<string, number>;
  samples: Sample[];
  memory: { ok: boolean; baseline: number; final: number; limit: number };
  failures: string[];
}

describe('npm run soak (smoke)', () => {
  it('runs every load and misbehaving loop, loses nothing, and reads memory after a forced GC', async () => {
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'soak-smoke-')), 'soak.json');
    const args = ['--minutes', '0.2', '--pairs', '1', '--churn-users', '2', '--offline-users', '1', '--flood-messages', '200', '--loris', '2', '--settle-seconds', '7', '--sample-seconds', '1', '--json', json];
    // Exit code 1 is the soak's verdict (its failures are in the report, checked below, where a
    // memory verdict is tolerated); anything else is a crash.
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'scripts/soak/run.mjs'), ...args], { cwd: REPO_ROOT, timeout: 150_000 }));
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string };
      if (failed.code !== 1 || failed.stdout === undefined || !fs.existsSync(json)) throw error;
      stdout = failed.stdout;
    }
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as SoakReport;
    fs.rmSync(path.dirname(json), { recursive: true, force: true });

    // Twelve seconds on a shared machine are too short to judge memory (caches are still warming
    // up): the verdict is computed and reported here, and enforced by the real `npm run soak`.
    expect(report.failures.filter((f) => !f.startsWith('memory did not return')), stdout).toEqual([]);
    expect(stdout).toContain('| t (s) | phase | RSS MiB | heapUsed MiB |');
    const { stats } = report;
    for (const key of ['logins', 'chatSent', 'offlineSent', 'neverReaderSent', 'smNoAckSent', 'flooderSent', 'lorisOpened']) expect(stats[key], key).toBeGreaterThan(0);
    expect(stats.chatReceived).toBe(stats.chatSent);
    expect(stats.offlineReceived).toBe(stats.offlineSent);
    // The first and last readings come after a forced GC (process.memory {gc: true} on a server run with --expose-gc).
    expect(report.samples[0]).toMatchObject({ phase: 'baseline', collected: true });
    expect(report.samples.at(-1)).toMatchObject({ phase: 'after', collected: true });
    expect(report.samples.some((s) => s.phase === 'load')).toBe(true);
    expect(report.memory.final).toBeGreaterThan(0);
    expect(report.memory.limit).toBeGreaterThan(report.memory.baseline);
    expect(report.memory.ok).toBe(report.memory.final <= report.memory.limit);
  }, 180_000);

  it('refuses a settle period shorter than the resumption timeout, which would judge memory too early', async () => {
    const result = await run(process.execPath, [path.join(REPO_ROOT, 'scripts/soak/run.mjs'), '--settle-seconds', '2'], { cwd: REPO_ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toMatch(/--settle-seconds must exceed/);
    const unknown = await run(process.execPath, [path.join(REPO_ROOT, 'scripts/soak/run.mjs'), '--skip', 'chat'], { cwd: REPO_ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toMatch(/--skip: unknown loop 'chat' \(known: churn, offline/);
  });
});
