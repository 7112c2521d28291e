// XEP-0484 FAST tokens are never stored. A token is derived from a random per-token seed (which
// is stored) and the account's SCRAM-SHA-256 ServerKey, so:
//  - the token table alone gives nothing to log in with;
//  - a password change makes every token of the account invalid, on every node, at once.
// The HT-* mechanisms key an HMAC with the token itself, so a one-way hash of it could not
// verify them: deriving it on demand is how no token needs to be kept.
import { createHmac, randomBytes } from 'node:crypto';

const LABEL = Buffer.from('herald xep-0484 token\0', 'utf8');

export function newTokenSeed(): Buffer {
  return randomBytes(32);
}

/** The token the client holds (base64url text; its UTF-8 bytes are the HT HMAC key). */
export function fastTokenOf(serverKey: Buffer, seed: Buffer): string {
  return createHmac('sha256', serverKey).update(LABEL).update(seed).digest('base64url');
}
