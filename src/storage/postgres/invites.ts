// Invitations in PostgreSQL. Every operation is one statement; redeem is a conditional UPDATE whose
// row lock decides between two redeemers (on any nodes): only one finds used_at still NULL.
import type { InviteRepository } from '../types.js';
import { INVITE_COLUMNS as COLUMNS, inviteFromRow as fromRow, type InviteRow } from '../sql-rows.js';
import type { Database } from './pool.js';

export function createPostgresInviteRepository(db: Database): InviteRepository {
  return {
    async create(i) {
      await db.query(
        `INSERT INTO invites (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)`,
        [i.id, i.tokenHash, i.domain, i.username ?? null, i.contact ?? null, i.admin, i.allowRegistration, i.createdAt, i.expiresAt],
      );
    },
    async byTokenHash(tokenHash) {
      const { rows } = await db.query<InviteRow>(`SELECT ${COLUMNS} FROM invites WHERE token_hash = $1`, [tokenHash]);
      return rows[0] && fromRow(rows[0]);
    },
    async redeem(tokenHash, usedBy, at) {
      const { rowCount } = await db.query('UPDATE invites SET used_at = $1, used_by = $2 WHERE token_hash = $3 AND used_at IS NULL', [
        at,
        usedBy,
        tokenHash,
      ]);
      return rowCount === 1;
    },
    async release(tokenHash, usedBy) {
      await db.query('UPDATE invites SET used_at = NULL, used_by = NULL WHERE token_hash = $1 AND used_by = $2', [tokenHash, usedBy]);
    },
    async isReserved(domain, username, now) {
      const { rows } = await db.query(
        'SELECT 1 FROM invites WHERE domain = $1 AND username = $2 AND used_at IS NULL AND expires_at > $3 LIMIT 1',
        [domain, username, now],
      );
      return rows.length > 0;
    },
    async list(domain) {
      // id COLLATE "C": the same tie-break order as SQLite's byte-wise one.
      const { rows } =
        domain === undefined
          ? await db.query<InviteRow>(`SELECT ${COLUMNS} FROM invites ORDER BY created_at, id COLLATE "C"`)
          : await db.query<InviteRow>(`SELECT ${COLUMNS} FROM invites WHERE domain = $1 ORDER BY created_at, id COLLATE "C"`, [domain]);
      return rows.map(fromRow);
    },
    async delete(id) {
      const { rowCount } = await db.query('DELETE FROM invites WHERE id = $1', [id]);
      return rowCount === 1;
    },
    async expire(now, usedBefore) {
      const { rowCount } = await db.query('DELETE FROM invites WHERE (used_at IS NULL AND expires_at <= $1) OR used_at < $2', [now, usedBefore]);
      return rowCount ?? 0;
    },
    async deleteAccount(account) {
      await db.query('DELETE FROM invites WHERE contact = $1', [account]);
    },
  };
}
