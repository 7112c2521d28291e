// XEP-0484 FAST tokens are never stored. A token is derived from a random per-token seed (which
// is stored) and the account's SCRAM-SHA-256 ServerKey, so:
//  - the token table alone gives nothing to log in with;
//  - a password change makes every token of the account invalid, on every node, at once.
// The HT-* mechanisms key an HMAC with the token itself, so a one-way hash of it could not
// verify them: deriving it on demand is how no token needs to be kept.
// Seed and ServerKey both live in the database, so a copy of it would yield every token; with
// `auth.fastTokenSecret` set (kept outside the database, the same on every node) it does not
// (XEP-0484 §7). Setting or changing the secret ends every token: clients log in with the
// password once more.
import { createHmac, randomBytes } from 'node:crypto';

const LABEL = Buffer.from('herald xep-0484 token\0', 'utf8');

export function newTokenSeed(): Buffer {
  return randomBytes(32);
}

/** The token the client holds (base64url text; its UTF-8 bytes are the HT HMAC key). */
export function fastTokenOf(serverKey: Buffer, seed: Buffer, deploymentSecret?: string): string {
  const mac = createHmac('sha256', serverKey).update(LABEL).update(seed);
  if (deploymentSecret !== undefined) mac.update(SECRET_LABEL).update(deploymentSecret, 'utf8');
  return mac.digest('base64url');
}

const SECRET_LABEL = Buffer.from('\0deployment secret\0', 'utf8');
