// Account operations shared by the CLI and in-band registration. Passwords go straight into
// SCRAM key derivation and are never stored or logged.
import type { Jid } from '../protocol/jid.js';
import type { Storage, UserRecord } from '../storage/types.js';
import type { Clock } from '../util/clock.js';
import { deriveAllCredentials, verifyPassword } from './scram-credentials.js';
import { SaslprepError } from './saslprep.js';
import { setRole } from './roles.js';

export interface Accounts {
  create(jid: Jid, password: string): Promise<'created' | 'exists'>;
  setPassword(jid: Jid, password: string): Promise<boolean>;
  delete(jid: Jid): Promise<boolean>;
  exists(jid: Jid): Promise<boolean>;
  verify(jid: Jid, password: string): Promise<boolean>;
  list(domain?: string): Promise<UserRecord[]>;
}

export class AccountError extends Error {
  override name = 'AccountError';
}

function requireAccountJid(jid: Jid): void {
  if (!jid.local || jid.resource) throw new AccountError(`'${jid.toString()}' is not an account address (expected user@domain)`);
}

function requirePassword(password: string): void {
  if (password.length === 0) throw new AccountError('the password must not be empty');
}

/** Derives the stored keys; a password SASLprep refuses is the caller's error, said plainly. */
async function credentialsFor(password: string, iterations: number) {
  try {
    return await deriveAllCredentials(password, iterations);
  } catch (error) {
    if (error instanceof SaslprepError) throw new AccountError(`the password is not allowed: ${error.message}`);
    throw error;
  }
}

export function createAccounts(deps: { storage: Storage; iterations: number; clock: Clock }): Accounts {
  const { users } = deps.storage;
  return {
    async create(jid, password) {
      requireAccountJid(jid);
      requirePassword(password);
      if (await users.exists(jid.domain, jid.local)) return 'exists';
      const credentials = await credentialsFor(password, deps.iterations);
      return (await users.create(jid.domain, jid.local, credentials, deps.clock.now())) ? 'created' : 'exists';
    },
    async setPassword(jid, password) {
      requireAccountJid(jid);
      requirePassword(password);
      if (!(await users.exists(jid.domain, jid.local))) return false;
      const changed = await users.setCredentials(jid.domain, jid.local, await credentialsFor(password, deps.iterations));
      // XEP-0484 tokens derive from the old credentials and no longer verify; drop their slots too.
      if (changed) await deps.storage.fastTokens.revoke(jid.toBareString());
      return changed;
    },
    async delete(jid) {
      requireAccountJid(jid);
      const deleted = await users.delete(jid.domain, jid.local);
      if (deleted) {
        await deps.storage.roster.deleteAccount(jid.toBareString());
        await deps.storage.offline.deleteAccount(jid.toBareString());
        await deps.storage.pubsub.deleteAccount(jid.toBareString());
        await deps.storage.fastTokens.revoke(jid.toBareString());
        await deps.storage.archive.deleteAccount(jid.toBareString());
        await deps.storage.privateXml.deleteAccount(jid.toBareString());
        await deps.storage.vcards.deleteAccount(jid.toBareString());
        await deps.storage.invites.deleteAccount(jid.toBareString());
        await setRole(deps.storage, jid, 'user');
        await deps.storage.push.deleteAccount(jid.toBareString());
        // Uploaded files go with the account; the server's upload sweep deletes them from disk.
        await deps.storage.uploads.expireAccount(jid.toBareString(), deps.clock.now());
        // Reports the account made stay: they are the administrators' record about others.
        await deps.storage.blocklists.unblockAll(jid.toBareString());
      }
      return deleted;
    },
    async exists(jid) {
      return jid.local !== '' && users.exists(jid.domain, jid.local);
    },
    async verify(jid, password) {
      const credential = await users.getCredential(jid.domain, jid.local, 'SCRAM-SHA-256');
      return credential !== undefined && verifyPassword(password, credential);
    },
    list: (domain) => users.list(domain),
  };
}
