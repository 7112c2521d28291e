// vCard-temp (XEP-0054) in PostgreSQL.
import type { VCardRepository } from '../types.js';
import type { Database } from './pool.js';

export function createPostgresVCardRepository(db: Database): VCardRepository {
  return {
    async get(account) {
      const { rows } = await db.query<{ vcard: string }>('SELECT vcard FROM vcards WHERE account = $1', [account]);
      return rows[0]?.vcard;
    },
    async put(account, vcard) {
      await db.query('INSERT INTO vcards (account, vcard) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET vcard = excluded.vcard', [account, vcard]);
    },
    async deleteAccount(account) {
      await db.query('DELETE FROM vcards WHERE account = $1', [account]);
    },
  };
}
