// Dialback keys as XEP-0185 recommends: HMAC-SHA256 keyed with the hex SHA-256 of the secret, over
// "receiving originating stream-id". Only the server that knows the secret can produce or check one.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const hashedSecret = createHash('sha256').update(secret, 'utf8').digest('hex');
  return createHmac('sha256', hashedSecret).update(`${receiving} ${originating} ${streamId}`, 'utf8').digest('hex');
}

/** Constant-time comparison, so a verifier learns nothing from how fast a wrong key fails. */
export function dialbackKeyMatches(secret: string, receiving: string, originating: string, streamId: string, key: string): boolean {
  const expected = Buffer.from(dialbackKey(secret, receiving, originating, streamId), 'utf8');
  const given = Buffer.from(key.trim(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
