// In-memory accounts and SCRAM credentials. Everything handed in or out is copied so callers
// can never reach (or mutate) the stored objects — the same guarantee a database gives.
import type { ScramCredential, ScramMechanism, UserRecord, UserRepository } from '../types.js';

interface StoredUser {
  createdAt: number;
  credentials: Map<ScramMechanism, ScramCredential>;
}

function copyCredential(c: ScramCredential): ScramCredential {
  return {
    mechanism: c.mechanism,
    salt: Buffer.from(c.salt),
    iterations: c.iterations,
    storedKey: Buffer.from(c.storedKey),
    serverKey: Buffer.from(c.serverKey),
  };
}

/** Mirrors the sqlite primary key (domain, username, mechanism): a duplicate is a caller bug. */
function toCredentialMap(credentials: ScramCredential[]): Map<ScramMechanism, ScramCredential> {
  const map = new Map<ScramMechanism, ScramCredential>();
  for (const c of credentials) {
    if (map.has(c.mechanism)) throw new Error(`duplicate credential for mechanism ${c.mechanism}`);
    map.set(c.mechanism, copyCredential(c));
  }
  return map;
}

/** Byte order of UTF-8 (= code point order), the order SQLite's BINARY collation gives. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function createMemoryUserRepository(assertOpen: () => void): UserRepository {
  // domain -> username -> account
  const domains = new Map<string, Map<string, StoredUser>>();

  const find = (domain: string, username: string): StoredUser | undefined => domains.get(domain)?.get(username);

  return {
    async create(domain, username, credentials, createdAt) {
      assertOpen();
      if (find(domain, username)) return false;
      const user: StoredUser = { createdAt, credentials: toCredentialMap(credentials) };
      let users = domains.get(domain);
      if (!users) {
        users = new Map();
        domains.set(domain, users);
      }
      users.set(username, user);
      return true;
    },

    async exists(domain, username) {
      assertOpen();
      return find(domain, username) !== undefined;
    },

    async getCredential(domain, username, mechanism) {
      assertOpen();
      const credential = find(domain, username)?.credentials.get(mechanism);
      return credential ? copyCredential(credential) : undefined;
    },

    async setCredentials(domain, username, credentials) {
      assertOpen();
      const user = find(domain, username);
      if (!user) return false;
      user.credentials = toCredentialMap(credentials); // built first: a duplicate leaves the old set intact
      return true;
    },

    async delete(domain, username) {
      assertOpen();
      const users = domains.get(domain);
      if (!users?.delete(username)) return false;
      if (users.size === 0) domains.delete(domain);
      return true;
    },

    async list(domain) {
      assertOpen();
      const records: UserRecord[] = [];
      for (const [d, users] of domains) {
        if (domain !== undefined && d !== domain) continue;
        for (const [username, user] of users) records.push({ domain: d, username, createdAt: user.createdAt });
      }
      return records.sort((a, b) => compareUtf8(a.domain, b.domain) || compareUtf8(a.username, b.username));
    },
  };
}
