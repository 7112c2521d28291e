// Accounts and SCRAM credentials in SQLite. Statements are prepared once per connection.
import type { ScramCredential, UserRecord, UserRepository } from '../types.js';
import { credentialFromRow, type CredentialRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

interface UserRow {
  domain: string;
  username: string;
  created_at: number;
}

export function createSqliteUserRepository(db: SqliteDatabase): UserRepository {
  const insertUser = db.prepare<[string, string, number]>(
    'INSERT INTO users (domain, username, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const selectExists = db.prepare<[string, string], { found: 1 }>(
    'SELECT 1 AS found FROM users WHERE domain = ? AND username = ?',
  );
  const insertCredential = db.prepare<[string, string, string, Buffer, number, Buffer, Buffer]>(
    `INSERT INTO scram_credentials (domain, username, mechanism, salt, iterations, stored_key, server_key)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectCredential = db.prepare<[string, string, string], CredentialRow>(
    `SELECT mechanism, salt, iterations, stored_key, server_key FROM scram_credentials
     WHERE domain = ? AND username = ? AND mechanism = ?`,
  );
  const deleteCredentials = db.prepare<[string, string]>(
    'DELETE FROM scram_credentials WHERE domain = ? AND username = ?',
  );
  // Credentials go with the account through ON DELETE CASCADE.
  const deleteUser = db.prepare<[string, string]>('DELETE FROM users WHERE domain = ? AND username = ?');
  // BINARY collation orders by UTF-8 bytes, i.e. by code point.
  const selectAll = db.prepare<[], UserRow>(
    'SELECT domain, username, created_at FROM users ORDER BY domain, username',
  );
  const selectDomain = db.prepare<[string], UserRow>(
    'SELECT domain, username, created_at FROM users WHERE domain = ? ORDER BY username',
  );

  const insertCredentials = (domain: string, username: string, credentials: ScramCredential[]): void => {
    for (const c of credentials) {
      insertCredential.run(domain, username, c.mechanism, c.salt, c.iterations, c.storedKey, c.serverKey);
    }
  };

  // One transaction each: an account never exists without its credentials, and a failed
  // insert (e.g. a duplicate mechanism) leaves the previous state untouched.
  const createTx = db.transaction(
    (domain: string, username: string, credentials: ScramCredential[], createdAt: number): boolean => {
      if (insertUser.run(domain, username, createdAt).changes === 0) return false;
      insertCredentials(domain, username, credentials);
      return true;
    },
  );
  const setCredentialsTx = db.transaction(
    (domain: string, username: string, credentials: ScramCredential[]): boolean => {
      if (!selectExists.get(domain, username)) return false;
      deleteCredentials.run(domain, username);
      insertCredentials(domain, username, credentials);
      return true;
    },
  );

  return {
    async create(domain, username, credentials, createdAt) {
      return createTx.immediate(domain, username, credentials, createdAt);
    },

    async exists(domain, username) {
      return selectExists.get(domain, username) !== undefined;
    },

    async getCredential(domain, username, mechanism) {
      const row = selectCredential.get(domain, username, mechanism);
      // better-sqlite3 returns fresh Buffers for BLOBs, so these are already copies.
      return row && credentialFromRow(row);
    },

    async setCredentials(domain, username, credentials) {
      return setCredentialsTx.immediate(domain, username, credentials);
    },

    async delete(domain, username) {
      return deleteUser.run(domain, username).changes > 0;
    },

    async list(domain) {
      const rows = domain === undefined ? selectAll.all() : selectDomain.all(domain);
      return rows.map((r): UserRecord => ({ domain: r.domain, username: r.username, createdAt: r.created_at }));
    },
  };
}
