// Archive keys (XEP-0359 stanza-ids) are appended to time-ordered indexes: ids made later must
// sort after earlier ones as text, and still carry the random part next() gives.
import { describe, expect, it } from 'vitest';
import { createRandomIds, type Clock } from '../../src/util/clock.js';

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
});
