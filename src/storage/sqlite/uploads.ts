// XEP-0363 upload slots in SQLite (table uploads). The quota check and the insert are one
// statement, so two nodes reserving for one account at once cannot both pass the quota.
import type { UploadRepository } from '../types.js';
import { uploadFromRow as toSlot, type UploadRow as Row } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export function createSqliteUploadRepository(db: SqliteDatabase): UploadRepository {
  const reserve = db.prepare(`
    INSERT INTO uploads (id, owner, filename, size, content_type, put_token, created_at, put_deadline, expires_at)
    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
    WHERE (SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner = ? AND expires_at > ?) + ? <= ?`);
  const select = db.prepare<[string], Row>('SELECT * FROM uploads WHERE id = ?');
  const uploaded = db.prepare<[number, number, string]>('UPDATE uploads SET uploaded_at = ?, expires_at = ? WHERE id = ? AND uploaded_at IS NULL');
  const expired = db.prepare<[number, number], Row>('SELECT * FROM uploads WHERE expires_at <= ? ORDER BY expires_at LIMIT ?');
  const forget = db.prepare<[string]>('DELETE FROM uploads WHERE id = ?');
  const expireAccount = db.prepare<[number, string, number]>('UPDATE uploads SET expires_at = ? WHERE owner = ? AND expires_at > ?');
  return {
    async reserve(s, quotaBytes, now) {
      const result = reserve.run(s.id, s.owner, s.filename, s.size, s.contentType, s.putToken, s.createdAt, s.putDeadline, s.expiresAt, s.owner, now, s.size, quotaBytes);
      return result.changes === 1;
    },
    async get(id) {
      const row = select.get(id);
      return row && toSlot(row);
    },
    async markUploaded(id, at, expiresAt) {
      return uploaded.run(at, expiresAt, id).changes === 1;
    },
    async expired(now, limit) {
      return expired.all(now, limit).map(toSlot);
    },
    async forget(id) {
      forget.run(id);
    },
    async expireAccount(owner, now) {
      expireAccount.run(now, owner, now);
    },
  };
}
