// Accounts and SCRAM credentials in PostgreSQL.
import type { ScramCredential, UserRecord, UserRepository } from '../types.js';
import { credentialFromRow, type CredentialRow } from '../sql-rows.js';
import type { Database, Queryable } from './pool.js';

interface UserRow {
  domain: string;
  username: string;
  created_at: number;
}

async function insertCredentials(tx: Queryable, domain: string, username: string, credentials: readonly ScramCredential[]): Promise<void> {
  for (const c of credentials) {
    await tx.query(
      `INSERT INTO scram_credentials (domain, username, mechanism, salt, iterations, stored_key, server_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [domain, username, c.mechanism, c.salt, c.iterations, c.storedKey, c.serverKey],
    );
  }
}

export function createPostgresUserRepository(db: Database): UserRepository {
  return {
    // One transaction each: an account never exists without its credentials.
    async create(domain, username, credentials, createdAt) {
      return db.transaction(async (tx) => {
        const inserted = await tx.query('INSERT INTO users (domain, username, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
          domain,
          username,
          createdAt,
        ]);
        if (inserted.rowCount === 0) return false;
        await insertCredentials(tx, domain, username, credentials);
        return true;
      });
    },
    async exists(domain, username) {
      const { rowCount } = await db.query('SELECT 1 FROM users WHERE domain = $1 AND username = $2', [domain, username]);
      return rowCount !== null && rowCount > 0;
    },
    async getCredential(domain, username, mechanism) {
      const { rows } = await db.query<CredentialRow>(
        `SELECT mechanism, salt, iterations, stored_key, server_key FROM scram_credentials
         WHERE domain = $1 AND username = $2 AND mechanism = $3`,
        [domain, username, mechanism],
      );
      return rows[0] && credentialFromRow(rows[0]);
    },
    async setCredentials(domain, username, credentials) {
      return db.transaction(async (tx) => {
        // FOR UPDATE: a concurrent delete of the account waits, so credentials never outlive it.
        const found = await tx.query('SELECT 1 FROM users WHERE domain = $1 AND username = $2 FOR UPDATE', [domain, username]);
        if (found.rowCount === 0) return false;
        await tx.query('DELETE FROM scram_credentials WHERE domain = $1 AND username = $2', [domain, username]);
        await insertCredentials(tx, domain, username, credentials);
        return true;
      });
    },
    async delete(domain, username) {
      const { rowCount } = await db.query('DELETE FROM users WHERE domain = $1 AND username = $2', [domain, username]);
      return rowCount !== null && rowCount > 0;
    },
    async list(domain) {
      // COLLATE "C": by code point, as SQLite's BINARY orders, whatever the database's locale.
      const { rows } =
        domain === undefined
          ? await db.query<UserRow>('SELECT domain, username, created_at FROM users ORDER BY domain COLLATE "C", username COLLATE "C"')
          : await db.query<UserRow>('SELECT domain, username, created_at FROM users WHERE domain = $1 ORDER BY username COLLATE "C"', [domain]);
      return rows.map((r): UserRecord => ({ domain: r.domain, username: r.username, createdAt: r.created_at }));
    },
  };
}
