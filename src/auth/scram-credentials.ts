// SCRAM salted credentials (RFC 5802 §3) and the primitives the SCRAM server shares with them.
// Only these keys are ever stored; the password itself is used once and dropped.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { ScramCredential, ScramMechanism } from '../storage/types.js';
import { saslprep, SaslprepError } from './saslprep.js';

const pbkdf2Async = promisify(pbkdf2);

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-1', 'SCRAM-SHA-256'];

/** RFC 7677 §4: at least 4096 iterations. */
export const MIN_SCRAM_ITERATIONS = 4096;

export const SCRAM_SALT_BYTES = 16;

export type ScramHashName = 'sha1' | 'sha256';

/** The node:crypto hash behind a SCRAM mechanism. */
export function scramHashName(mechanism: ScramMechanism): ScramHashName {
  return mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
}

/** Output length of H() in bytes. */
export function scramHashLength(mechanism: ScramMechanism): number {
  return mechanism === 'SCRAM-SHA-1' ? 20 : 32;
}

/** HMAC(key, data) with the mechanism's hash. */
export function scramHmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(scramHashName(mechanism), key).update(data).digest();
}

/** H(data) with the mechanism's hash. */
export function scramHash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(scramHashName(mechanism)).update(data).digest();
}

export function xorBuffers(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers of different lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

/** Constant-time equality that also tolerates different lengths (which are not secret). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** ClientKey and ServerKey derived from SaltedPassword := Hi(password, salt, i). */
export function scramKeysFromSaltedPassword(
  mechanism: ScramMechanism,
  saltedPassword: Buffer,
): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = scramHmac(mechanism, saltedPassword, 'Client Key');
  return {
    clientKey,
    storedKey: scramHash(mechanism, clientKey),
    serverKey: scramHmac(mechanism, saltedPassword, 'Server Key'),
  };
}

// Hi() is PBKDF2 with HMAC-H and one block of output. The async form runs on the libuv
// thread pool, so a login with many iterations does not stall the event loop.
async function saltedPassword(
  preparedPassword: string,
  mechanism: ScramMechanism,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return pbkdf2Async(
    Buffer.from(preparedPassword, 'utf8'),
    salt,
    iterations,
    scramHashLength(mechanism),
    scramHashName(mechanism),
  );
}

async function credentialFrom(
  preparedPassword: string,
  mechanism: ScramMechanism,
  iterations: number,
  salt: Buffer,
): Promise<ScramCredential> {
  const salted = await saltedPassword(preparedPassword, mechanism, salt, iterations);
  const { storedKey, serverKey } = scramKeysFromSaltedPassword(mechanism, salted);
  return { mechanism, salt: Buffer.from(salt), iterations, storedKey, serverKey };
}

function checkIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS) {
    throw new RangeError(`SCRAM iteration count must be an integer of at least ${MIN_SCRAM_ITERATIONS}`);
  }
}

/**
 * Derives the stored credential for a new or changed password. The password is a stored
 * string in stringprep terms, so unassigned code points are refused (SaslprepError).
 */
export async function deriveScramCredential(
  password: string,
  mechanism: ScramMechanism,
  iterations: number,
  salt?: Buffer,
): Promise<ScramCredential> {
  checkIterations(iterations);
  if (salt !== undefined && salt.length === 0) throw new RangeError('SCRAM salt must not be empty');
  const prepared = saslprep(password, { allowUnassigned: false });
  return credentialFrom(prepared, mechanism, iterations, salt ?? randomBytes(SCRAM_SALT_BYTES));
}

/** One credential per supported mechanism, each with its own salt. */
export async function deriveAllCredentials(password: string, iterations: number): Promise<ScramCredential[]> {
  checkIterations(iterations);
  const prepared = saslprep(password, { allowUnassigned: false });
  return Promise.all(
    SCRAM_MECHANISMS.map((m) => credentialFrom(prepared, m, iterations, randomBytes(SCRAM_SALT_BYTES))),
  );
}

/**
 * A stand-in credential for an account that does not exist, so that a login attempt for it
 * runs the same steps as one with a wrong password. The salt is deterministic per user name
 * (repeated probes see the same salt, as they would for a real account); the keys match no
 * password anyone can know.
 */
export function fakeScramCredential(
  serverSecret: Buffer,
  username: string,
  mechanism: ScramMechanism,
  iterations: number = MIN_SCRAM_ITERATIONS,
): ScramCredential {
  const seed = createHmac('sha256', serverSecret).update(`${mechanism}\0${username}`).digest();
  return {
    mechanism,
    salt: seed.subarray(0, SCRAM_SALT_BYTES),
    iterations,
    storedKey: scramHmac(mechanism, seed, 'unknown user stored key'),
    serverKey: scramHmac(mechanism, seed, 'unknown user server key'),
  };
}

/** Checks a cleartext password (e.g. from SASL PLAIN) against a stored credential. */
export async function verifyPassword(password: string, credential: ScramCredential): Promise<boolean> {
  let prepared: string;
  try {
    prepared = saslprep(password);
  } catch (err) {
    if (err instanceof SaslprepError) return false;
    throw err;
  }
  // The stored count is trusted as is: it was checked when the credential was derived.
  const candidate = await credentialFrom(prepared, credential.mechanism, credential.iterations, credential.salt);
  return constantTimeEqual(candidate.storedKey, credential.storedKey);
}
