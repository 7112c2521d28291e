// One interval per idle-timeout length instead of a timer per socket (src/stream/idle-sweep.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleSweep, idleSweepFor, type IdleWatcher } from '../../src/stream/idle-sweep.js';

function watcher(): IdleWatcher & { calls: number } {
  return {
    idleSince: 0,
    calls: 0,
    idlePeriodPassed() {
      this.calls++;
    },
  };
}

describe('IdleSweep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('RFC 6120 §4.6.1: a silent stream is reported after a full period, never before', () => {
    const sweep = new IdleSweep(800);
    const w = watcher();
    sweep.watch(w);
    vi.advanceTimersByTime(799);
    expect(w.calls).toBe(0);
    // At most one tick (period / 8) late.
    vi.advanceTimersByTime(101);
    expect(w.calls).toBe(1);
    // The next report counts a whole period from the last one.
    vi.advanceTimersByTime(799);
    expect(w.calls).toBe(1);
    vi.advanceTimersByTime(101);
    expect(w.calls).toBe(2);
    sweep.forget(w);
  });

  it('input restarts the count', () => {
    const sweep = new IdleSweep(800);
    const w = watcher();
    sweep.watch(w);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      w.idleSince = sweep.tick; // what XmlStream does on every chunk it reads
    }
    expect(w.calls).toBe(0);
    vi.advanceTimersByTime(900);
    expect(w.calls).toBe(1);
    sweep.forget(w);
  });

  it('keeps one interval for all its watchers and none once the last is forgotten', () => {
    const sweep = new IdleSweep(800);
    const many = Array.from({ length: 1000 }, watcher);
    for (const w of many) sweep.watch(w);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(900);
    expect(many.every((w) => w.calls === 1)).toBe(true);
    for (const w of many) sweep.forget(w);
    expect(sweep.watching).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shares one sweep per period length and watches nothing for "never"', () => {
    expect(idleSweepFor(150_000)).toBe(idleSweepFor(150_000));
    expect(idleSweepFor(150_000)).not.toBe(idleSweepFor(30_000));
    expect(idleSweepFor(1_000_000_000 * 2)).toBeUndefined();
  });
});
