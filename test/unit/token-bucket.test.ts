import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/util/clock.js';
import { TokenBucket } from '../../src/util/token-bucket.js';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('TokenBucket', () => {
  it('allows up to the burst at once', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 500, clock: fakeClock() });
    expect(bucket.take(300)).toBe(0);
    expect(bucket.take(200)).toBe(0);
  });

  it('returns the wait until the debt is repaid, and still takes the tokens', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 100, clock });
    expect(bucket.take(150)).toBe(500); // 50 tokens short at 100/s
    expect(bucket.take(10)).toBe(600); // the debt carried over
    clock.advance(600);
    expect(bucket.take(0)).toBe(0);
  });

  it('refills at the configured rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000, clock });
    expect(bucket.take(1000)).toBe(0);
    clock.advance(250);
    expect(bucket.take(250)).toBe(0);
    expect(bucket.take(1)).toBe(1);
  });

  it('never holds more than the burst however long it idles', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20, clock });
    clock.advance(3_600_000);
    expect(bucket.take(20)).toBe(0);
    expect(bucket.take(10)).toBe(1000);
  });

  it('rounds waits up to whole milliseconds', () => {
    const bucket = new TokenBucket({ ratePerSecond: 3, burst: 1, clock: fakeClock() });
    expect(bucket.take(2)).toBe(334);
  });

  it('ignores a clock that steps backwards', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 100, clock });
    expect(bucket.take(100)).toBe(0);
    clock.advance(-10_000);
    expect(bucket.take(50)).toBe(500);
    clock.advance(10_500);
    expect(bucket.take(0)).toBe(0);
  });

  it('rejects nonsensical options and amounts', () => {
    const clock = fakeClock();
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1, clock })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: Number.NaN, clock })).toThrow(RangeError);
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    expect(() => bucket.take(-1)).toThrow(RangeError);
  });
});
