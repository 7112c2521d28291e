// DialbackVerifications: identical requests share one check; checks for one domain pair run one
// at a time, other pairs in parallel; a failed check does not stop the next.
import { describe, expect, it } from 'vitest';
import { DialbackVerifications } from '../../../src/s2s/dialback-verifications.js';

/** A check the test answers by hand, recording each call. */
function manualCheck() {
  const calls: Array<{ pair: string; key: string; answer(valid: boolean | Error): void }> = [];
  const check = (receiving: string, originating: string, _streamId: string, key: string) =>
    new Promise<boolean>((resolve, reject) => {
      calls.push({ pair: `${receiving} ${originating}`, key, answer: (v) => (v instanceof Error ? reject(v) : resolve(v)) });
    });
  return { calls, check };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('dialback verifications', () => {
  it('XEP-0220 §2.1.2: identical requests in flight share one check and its answer', async () => {
    const { calls, check } = manualCheck();
    const verifications = new DialbackVerifications(check);
    const answers = Array.from({ length: 5 }, () => verifications.verify('b.test', 'a.test', 'S1', 'K'));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.answer(true);
    expect(await Promise.all(answers)).toEqual([true, true, true, true, true]);
    expect(verifications.size).toBe(0);
  });

  it('runs checks for one pair one at a time and other pairs in parallel; a failure does not block the next', async () => {
    const { calls, check } = manualCheck();
    const verifications = new DialbackVerifications(check);
    const first = verifications.verify('b.test', 'a.test', 'S1', 'K1');
    const second = verifications.verify('b.test', 'a.test', 'S2', 'K2');
    const other = verifications.verify('b.test', 'c.test', 'S3', 'K3');
    await tick();
    expect(calls.map((c) => c.key)).toEqual(['K1', 'K3']);
    calls[0]!.answer(new Error('connection refused'));
    await expect(first).rejects.toThrow('connection refused');
    await tick();
    expect(calls.map((c) => c.key)).toEqual(['K1', 'K3', 'K2']);
    calls[2]!.answer(false);
    calls[1]!.answer(true);
    expect(await second).toBe(false);
    expect(await other).toBe(true);
  });
});
