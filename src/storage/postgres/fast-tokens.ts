// XEP-0484 FAST token slots in PostgreSQL; promote is one transaction under the account's lock.
import type { FastTokenRepository } from '../types.js';
import { FAST_TOKEN_COLUMNS as COLUMNS, fastTokenFromRow as fromRow, type FastTokenRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database } from './pool.js';


export function createPostgresFastTokenRepository(db: Database): FastTokenRepository {
  return {
    async issue(t) {
      await db.query(
        `INSERT INTO fast_tokens (${COLUMNS}) VALUES ($1, $2, 'new', $3, $4, $5, $6)
         ON CONFLICT (account, client, slot) DO UPDATE SET mechanism = excluded.mechanism, seed = excluded.seed,
           issued_at = excluded.issued_at, expires_at = excluded.expires_at`,
        [t.account, t.client, t.mechanism, t.seed, t.issuedAt, t.expiresAt],
      );
    },
    async get(account, client) {
      const { rows } = await db.query<FastTokenRow>(`SELECT ${COLUMNS} FROM fast_tokens WHERE account = $1 AND client = $2 ORDER BY slot`, [account, client]);
      return rows.map(fromRow);
    },
    promote: (account, client, seed) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.fastTokens, account);
        const found = await tx.query(`SELECT 1 FROM fast_tokens WHERE account = $1 AND client = $2 AND slot = 'new' AND seed = $3`, [account, client, seed]);
        if (!found.rowCount) return false;
        await tx.query(`DELETE FROM fast_tokens WHERE account = $1 AND client = $2 AND slot = 'current'`, [account, client]);
        const moved = await tx.query(`UPDATE fast_tokens SET slot = 'current' WHERE account = $1 AND client = $2 AND slot = 'new' AND seed = $3`, [
          account,
          client,
          seed,
        ]);
        return (moved.rowCount ?? 0) > 0;
      }),
    async revoke(account, client) {
      const { rowCount } =
        client === undefined
          ? await db.query('DELETE FROM fast_tokens WHERE account = $1', [account])
          : await db.query('DELETE FROM fast_tokens WHERE account = $1 AND client = $2', [account, client]);
      return rowCount ?? 0;
    },
    async list(account) {
      const { rows } = await db.query<FastTokenRow>(`SELECT ${COLUMNS} FROM fast_tokens WHERE account = $1 ORDER BY client COLLATE "C", slot`, [account]);
      return rows.map(fromRow);
    },
  };
}
