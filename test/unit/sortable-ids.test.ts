// Archive keys (XEP-0359 stanza-ids) are appended to time-ordered indexes: ids made later must
// sort after earlier ones as text, and still carry the random part next() gives.
import { describe, expect, it, vi } from 'vitest';
import { createRandomIds, type Clock } from '../../src/util/clock.js';

// While `counter` is set, the CSPRNG is a counter, so a test can see which pool bytes each id carries.
let counter: number | undefined;
vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof import('node:crypto')>();
  return {
    ...crypto,
    randomFillSync: (buffer: Buffer) => {
      if (counter === undefined) return crypto.randomFillSync(buffer);
      for (let i = 0; i < buffer.length; i++) buffer[i] = counter++ & 0xff;
      return buffer;
    },
  };
});

describe('IdGenerator.sortable', () => {
  it('sorts by creation time as plain text, across digit-count changes of the time', () => {
    let now = 35; // "z" in base 36; the next one needs two digits
    const clock: Clock = { now: () => now };
    const ids = createRandomIds(9, clock);
    const made: string[] = [];
    for (const step of [0, 1, 1, 1_000, 1_700_000_000_000, 1]) {
      now += step;
      made.push(ids.sortable());
    }
    expect([...made].sort()).toEqual(made);
  });

  it('keeps the random part: ids made in the same millisecond differ and are URL-safe', () => {
    const ids = createRandomIds(9, { now: () => 1_765_000_000_000 });
    const made = new Set(Array.from({ length: 1000 }, () => ids.sortable()));
    expect(made.size).toBe(1000);
    for (const id of made) expect(id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{12}$/);
  });

  it('cuts ids of any size from the pool across refills: every random byte used once, in order', () => {
    for (const bytes of [9, 6, 4, 16]) {
      counter = 0;
      const ids = createRandomIds(bytes, { now: () => 0 });
      // 3 pools' worth of 4 KiB each, so refills (and the encoded pool's offsets) are crossed.
      const raw = Buffer.concat(Array.from({ length: Math.ceil((3 * 4096) / bytes) }, () => Buffer.from(ids.next(), 'base64url')));
      const expected = Buffer.from(Array.from({ length: raw.length }, (_, i) => i & 0xff));
      expect(raw.equals(expected)).toBe(true);
    }
    counter = undefined;
  });
});
