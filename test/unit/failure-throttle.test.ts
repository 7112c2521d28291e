import { describe, expect, it } from 'vitest';
import { throttleKey, createAuthFailureThrottle } from '../../src/auth/failure-throttle.js';
import type { Clock } from '../../src/util/clock.js';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function fail(throttle: { recordFailure(a: string): void }, address: string, times: number): void {
  for (let i = 0; i < times; i++) throttle.recordFailure(address);
}

describe('createAuthFailureThrottle', () => {
  it('does not delay up to the allowance', () => {
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 5, clock: fakeClock() });
    expect(throttle.delayMs('192.0.2.1')).toBe(0);
    fail(throttle, '192.0.2.1', 5);
    expect(throttle.delayMs('192.0.2.1')).toBe(0);
  });

  it('doubles the delay per failure beyond the allowance, up to 30 s', () => {
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 3, clock: fakeClock() });
    fail(throttle, 'a', 3);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      throttle.recordFailure('a');
      delays.push(throttle.delayMs('a'));
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('decays as failures slide out of the minute window', () => {
    const clock = fakeClock();
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 2, clock });
    fail(throttle, 'a', 2); // t = 0
    clock.advance(20_000);
    fail(throttle, 'a', 2); // t = 20 s
    expect(throttle.delayMs('a')).toBe(2000);
    clock.advance(40_000); // the first two are now a minute old
    expect(throttle.delayMs('a')).toBe(0);
    throttle.recordFailure('a');
    expect(throttle.delayMs('a')).toBe(1000);
    clock.advance(60_000);
    expect(throttle.delayMs('a')).toBe(0);
  });

  it('after a long burst, stops delaying one minute after the last failure', () => {
    const clock = fakeClock();
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 2, clock });
    for (let i = 0; i < 100; i++) {
      throttle.recordFailure('a');
      clock.advance(500);
    }
    expect(throttle.delayMs('a')).toBe(30000);
    clock.advance(58_000); // only the last three failures are still within the minute
    expect(throttle.delayMs('a')).toBe(1000);
    clock.advance(2_000);
    expect(throttle.delayMs('a')).toBe(0);
  });

  it('tracks addresses separately', () => {
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 1, clock: fakeClock() });
    fail(throttle, 'a', 3);
    expect(throttle.delayMs('a')).toBe(2000);
    expect(throttle.delayMs('b')).toBe(0);
  });

  it('groups IPv6 addresses by /64 and unwraps IPv4-mapped ones', () => {
    expect(throttleKey('2001:db8:1:2:aaaa::1')).toBe(throttleKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(throttleKey('2001:db8:1:2::1')).not.toBe(throttleKey('2001:db8:1:3::1'));
    expect(throttleKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(throttleKey('192.0.2.7')).toBe('192.0.2.7');
  });

  it('delays every failure when the allowance is zero', () => {
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 0, clock: fakeClock() });
    throttle.recordFailure('a');
    expect(throttle.delayMs('a')).toBe(1000);
  });

  it('bounds memory by evicting the least recently failing address', () => {
    const throttle = createAuthFailureThrottle({ failuresPerMinute: 0, clock: fakeClock(), maxEntries: 3 });
    fail(throttle, 'a', 2);
    fail(throttle, 'b', 2);
    fail(throttle, 'c', 2);
    throttle.recordFailure('a'); // a is now the most recent
    throttle.recordFailure('d'); // evicts b
    expect(throttle.delayMs('b')).toBe(0);
    expect(throttle.delayMs('a')).toBe(4000);
    expect(throttle.delayMs('c')).toBe(2000);
    expect(throttle.delayMs('d')).toBe(1000);
  });

  it('rejects invalid options', () => {
    const clock = fakeClock();
    expect(() => createAuthFailureThrottle({ failuresPerMinute: -1, clock })).toThrow(RangeError);
    expect(() => createAuthFailureThrottle({ failuresPerMinute: 1.5, clock })).toThrow(RangeError);
    expect(() => createAuthFailureThrottle({ failuresPerMinute: 1, clock, maxEntries: 0 })).toThrow(RangeError);
  });
});
