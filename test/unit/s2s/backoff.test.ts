// LinkBackoff alone, on a clock the test moves: periods, doubling, the cap, reset, the text.
import { describe, expect, it } from 'vitest';
import { LinkBackoff } from '../../../src/s2s/backoff.js';
import { StanzaError } from '../../../src/protocol/stanza-error.js';

function setup(initialMs = 5_000, maxMs = 300_000) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  return { clock, backoff: new LinkBackoff(clock, () => ({ initialMs, maxMs })) };
}

const refused = new StanzaError('remote-server-not-found', 'TCP: connection to 127.0.0.1:1 refused');

describe('link back-off', () => {
  it('lets the first attempt through and refuses during the period with the remembered error', () => {
    const { clock, backoff } = setup();
    expect(backoff.refusal('a b')).toBeUndefined();
    expect(backoff.failed('a b', refused)).toBe(5_000);
    const error = backoff.refusal('a b')!;
    expect(error.condition).toBe('remote-server-not-found');
    expect(error.type).toBe('cancel');
    expect(error.text).toBe('TCP: connection to 127.0.0.1:1 refused (last attempt 0 s ago; next attempt in 5 s)');
    clock.t += 3_400;
    expect(backoff.refusal('a b')!.text).toBe('TCP: connection to 127.0.0.1:1 refused (last attempt 3 s ago; next attempt in 2 s)');
    clock.t += 1_599;
    expect(backoff.refusal('a b')!.text).toMatch(/next attempt in 1 s\)$/);
    clock.t += 1;
    expect(backoff.refusal('a b')).toBeUndefined();
    // Other pairs are not affected.
    expect(backoff.refusal('a c')).toBeUndefined();
  });

  it('keeps the condition of a timeout', () => {
    const { backoff } = setup();
    backoff.failed('a b', new StanzaError('remote-server-timeout', 'stream header: no answer within 1 s'));
    const error = backoff.refusal('a b')!;
    expect(error.condition).toBe('remote-server-timeout');
    expect(error.text).toMatch(/^stream header: no answer within 1 s \(last attempt 0 s ago; next attempt in 5 s\)$/);
  });

  it('doubles the period per consecutive failure up to the maximum, and a success resets it', () => {
    const { clock, backoff } = setup(5_000, 30_000);
    const delays = [];
    for (let i = 0; i < 6; i++) {
      delays.push(backoff.failed('a b', refused));
      clock.t += delays[delays.length - 1]!;
    }
    expect(delays).toEqual([5_000, 10_000, 20_000, 30_000, 30_000, 30_000]);
    backoff.succeeded('a b');
    expect(backoff.refusal('a b')).toBeUndefined();
    expect(backoff.failed('a b', refused)).toBe(5_000);
  });

  it('forgets failures a whole maximum period after their retry time, so the map does not grow forever', () => {
    const { clock, backoff } = setup(5_000, 20_000);
    backoff.failed('a dead1', refused);
    backoff.failed('a dead2', refused);
    clock.t += 5_000 + 20_000;
    backoff.failed('a dead2', refused); // within the window: consecutive, 10 s
    expect(backoff.size).toBe(2);
    expect(backoff.refusal('a dead2')!.text).toMatch(/next attempt in 10 s\)$/);
    clock.t += 10_000 + 20_001;
    backoff.failed('a other', refused);
    // dead1 (retry at +5 s) and dead2 (retry at +35 s) are both more than 20 s past their retry time.
    expect(backoff.size).toBe(1);
    backoff.failed('a dead1', refused);
    expect(backoff.refusal('a dead1')!.text).toMatch(/next attempt in 5 s\)$/);
  });
});
