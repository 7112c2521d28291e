// modules.muc.options.maxMessagesPerMinute: a token bucket per sending client session, kept in
// the session's own data (a stanza from a room's occupant is handled on the node of its session).
import type { LocalSession } from '../../core/sessions/session.js';
import { StanzaError } from '../../protocol/stanza-error.js';

const BUCKET = Symbol('muc.rate');

interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one message from the sender's allowance; a StanzaError when it is spent. */
export function spendMessage(origin: LocalSession | undefined, perMinute: number, now: number): StanzaError | undefined {
  // Senders on other servers are throttled by their own server's stream limits.
  if (!origin) return undefined;
  const bucket = (origin.data.get(BUCKET) as Bucket | undefined) ?? { tokens: perMinute, at: now };
  bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000);
  bucket.at = now;
  origin.data.set(BUCKET, bucket);
  if (bucket.tokens < 1) {
    return new StanzaError('resource-constraint', `slow down: at most ${perMinute} messages a minute to rooms; wait a moment and send again`, 'wait');
  }
  bucket.tokens -= 1;
  return undefined;
}
