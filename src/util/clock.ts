// Time and ids are injected so tests can control them.
import { randomFillSync } from 'node:crypto';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface IdGenerator {
  next(): string;
}

/** One CSPRNG call costs ~5 µs whatever its size, so ids are cut from a pool filled at once. */
const POOL_BYTES = 4096;

/**
 * Random, URL-safe ids: unguessable, so ids can double as resource names and stream ids. Every
 * pool byte is used once; the pool never leaves the process (randomUUID() caches the same way).
 */
export function createRandomIds(bytes = 9): IdGenerator {
  const pool = Buffer.allocUnsafe(Math.max(POOL_BYTES, bytes));
  let offset = pool.length;
  return {
    next: () => {
      if (offset + bytes > pool.length) {
        randomFillSync(pool);
        offset = 0;
      }
      offset += bytes;
      return pool.toString('base64url', offset - bytes, offset);
    },
  };
}
