// Invitations in SQLite. Plain SQL a PostgreSQL backend can repeat; redeem is one conditional
// UPDATE, so two redeemers of one token cannot both succeed.
import type { Invite, InviteRepository } from '../types.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  id: string;
  token_hash: string;
  domain: string;
  username: string | null;
  contact: string | null;
  admin: number;
  allow_registration: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

const COLUMNS = 'id, token_hash, domain, username, contact, admin, allow_registration, created_at, expires_at, used_at, used_by';

function fromRow(r: Row): Invite {
  const invite: Invite = {
    id: r.id,
    tokenHash: r.token_hash,
    domain: r.domain,
    admin: r.admin === 1,
    allowRegistration: r.allow_registration === 1,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
  if (r.username !== null) invite.username = r.username;
  if (r.contact !== null) invite.contact = r.contact;
  if (r.used_at !== null) invite.usedAt = r.used_at;
  if (r.used_by !== null) invite.usedBy = r.used_by;
  return invite;
}

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
