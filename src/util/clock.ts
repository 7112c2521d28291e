// Time and ids are injected so tests can control them.
import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface IdGenerator {
  next(): string;
}

/** Random, URL-safe ids: unguessable, so ids can double as resource names and stream ids. */
export function createRandomIds(bytes = 9): IdGenerator {
  return { next: () => randomBytes(bytes).toString('base64url') };
}
