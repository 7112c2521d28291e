// XEP-0484 FAST token slots in SQLite. Plain SQL a PostgreSQL backend can repeat: the one
// two-step change (promote) runs in a transaction.
import type { FastTokenRepository } from '../types.js';
import { FAST_TOKEN_COLUMNS as COLUMNS, fastTokenFromRow as fromRow, type FastTokenRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';


export function createSqliteFastTokenRepository(db: SqliteDatabase): FastTokenRepository {
  const upsertNew = db.prepare<[string, string, string, Buffer, number, number]>(
    `INSERT INTO fast_tokens (${COLUMNS}) VALUES (?, ?, 'new', ?, ?, ?, ?)
     ON CONFLICT (account, client, slot) DO UPDATE SET mechanism = excluded.mechanism, seed = excluded.seed,
       issued_at = excluded.issued_at, expires_at = excluded.expires_at`,
  );
  const selectClient = db.prepare<[string, string], FastTokenRow>(`SELECT ${COLUMNS} FROM fast_tokens WHERE account = ? AND client = ? ORDER BY slot`);
  const selectAccount = db.prepare<[string], FastTokenRow>(`SELECT ${COLUMNS} FROM fast_tokens WHERE account = ? ORDER BY client, slot`);
  const deleteCurrent = db.prepare<[string, string]>(`DELETE FROM fast_tokens WHERE account = ? AND client = ? AND slot = 'current'`);
  const makeCurrent = db.prepare<[string, string, Buffer]>(
    `UPDATE fast_tokens SET slot = 'current' WHERE account = ? AND client = ? AND slot = 'new' AND seed = ?`,
  );
  const selectNewWithSeed = db.prepare<[string, string, Buffer], { found: 1 }>(
    `SELECT 1 AS found FROM fast_tokens WHERE account = ? AND client = ? AND slot = 'new' AND seed = ?`,
  );
  const deleteClient = db.prepare<[string, string]>('DELETE FROM fast_tokens WHERE account = ? AND client = ?');
  const deleteAccount = db.prepare<[string]>('DELETE FROM fast_tokens WHERE account = ?');

  const promoteTx = db.transaction((account: string, client: string, seed: Buffer): boolean => {
    if (!selectNewWithSeed.get(account, client, seed)) return false;
    deleteCurrent.run(account, client);
    return makeCurrent.run(account, client, seed).changes > 0;
  });

  return {
    async issue(t) {
      upsertNew.run(t.account, t.client, t.mechanism, t.seed, t.issuedAt, t.expiresAt);
    },
    async get(account, client) {
      return selectClient.all(account, client).map(fromRow);
    },
    async promote(account, client, seed) {
      return promoteTx.immediate(account, client, seed);
    },
    async revoke(account, client) {
      return (client === undefined ? deleteAccount.run(account) : deleteClient.run(account, client)).changes;
    },
    async list(account) {
      return selectAccount.all(account).map(fromRow);
    },
  };
}
