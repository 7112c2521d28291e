// Invitations in SQLite. Plain SQL a PostgreSQL backend can repeat; redeem is one conditional
// UPDATE, so two redeemers of one token cannot both succeed.
import type { InviteRepository } from '../types.js';
import { INVITE_COLUMNS as COLUMNS, inviteFromRow as fromRow, type InviteRow as Row } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export function createSqliteInviteRepository(db: SqliteDatabase): InviteRepository {
  const insert = db.prepare(`INSERT INTO invites (${COLUMNS}) VALUES (@id, @token_hash, @domain, @username, @contact, @admin, @allow_registration, @created_at, @expires_at, NULL, NULL)`);
  const selectByHash = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM invites WHERE token_hash = ?`);
  const redeemOne = db.prepare<[number, string, string]>('UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL');
  const releaseOne = db.prepare<[string, string]>('UPDATE invites SET used_at = NULL, used_by = NULL WHERE token_hash = ? AND used_by = ?');
  const selectReserved = db.prepare<[string, string, number], { found: 1 }>(
    'SELECT 1 AS found FROM invites WHERE domain = ? AND username = ? AND used_at IS NULL AND expires_at > ? LIMIT 1',
  );
  const selectAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM invites ORDER BY created_at, id`);
  const selectDomain = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM invites WHERE domain = ? ORDER BY created_at, id`);
  const deleteId = db.prepare<[string]>('DELETE FROM invites WHERE id = ?');
  const deleteExpired = db.prepare<[number, number]>('DELETE FROM invites WHERE (used_at IS NULL AND expires_at <= ?) OR used_at < ?');
  const deleteContact = db.prepare<[string]>('DELETE FROM invites WHERE contact = ?');

  return {
    async create(i) {
      insert.run({
        id: i.id,
        token_hash: i.tokenHash,
        domain: i.domain,
        username: i.username ?? null,
        contact: i.contact ?? null,
        admin: i.admin ? 1 : 0,
        allow_registration: i.allowRegistration ? 1 : 0,
        created_at: i.createdAt,
        expires_at: i.expiresAt,
      });
    },
    async byTokenHash(tokenHash) {
      const row = selectByHash.get(tokenHash);
      return row && fromRow(row);
    },
    async redeem(tokenHash, usedBy, at) {
      return redeemOne.run(at, usedBy, tokenHash).changes > 0;
    },
    async release(tokenHash, usedBy) {
      releaseOne.run(tokenHash, usedBy);
    },
    async isReserved(domain, username, now) {
      return selectReserved.get(domain, username, now) !== undefined;
    },
    async list(domain) {
      return (domain === undefined ? selectAll.all() : selectDomain.all(domain)).map(fromRow);
    },
    async delete(id) {
      return deleteId.run(id).changes > 0;
    },
    async expire(now, usedBefore) {
      return deleteExpired.run(now, usedBefore).changes;
    },
    async deleteAccount(account) {
      deleteContact.run(account);
    },
  };
}
