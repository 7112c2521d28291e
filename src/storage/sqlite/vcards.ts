// vCard-temp in SQLite (table vcards, a late migration step).
import type { VCardRepository } from '../types.js';
import type { SqliteDatabase } from './database.js';

export function createSqliteVCardRepository(db: SqliteDatabase): VCardRepository {
  const select = db.prepare<[string], { vcard: string }>('SELECT vcard FROM vcards WHERE account = ?');
  const upsert = db.prepare<[string, string]>('INSERT INTO vcards (account, vcard) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET vcard = excluded.vcard');
  const remove = db.prepare<[string]>('DELETE FROM vcards WHERE account = ?');
  return {
    async get(account) {
      return select.get(account)?.vcard;
    },
    async put(account, vcard) {
      upsert.run(account, vcard);
    },
    async deleteAccount(account) {
      remove.run(account);
    },
  };
}
