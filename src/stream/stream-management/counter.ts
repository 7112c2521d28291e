// XEP-0198 §4: counters are unsigned 32-bit and wrap to zero after 2^32 - 1.

export const COUNTER_MODULUS = 2 ** 32;

export function increment(h: number): number {
  return (h + 1) % COUNTER_MODULUS;
}

/** How far `later` is ahead of `earlier`, modulo 2^32. */
export function distance(later: number, earlier: number): number {
  return (later - earlier + COUNTER_MODULUS) % COUNTER_MODULUS;
}

/** Parses an `h` attribute: a decimal integer 0..2^32-1, or undefined. */
export function parseCounter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const h = Number(value);
  return h < COUNTER_MODULUS ? h : undefined;
}
