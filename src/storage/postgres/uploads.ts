// XEP-0363 upload slots in PostgreSQL. The quota sum and the insert run in one transaction under the
// owner's advisory lock: in one statement alone, two nodes' inserts could both see the old sum.
import type { UploadRepository } from '../types.js';
import { UPLOAD_COLUMNS as COLUMNS, uploadFromRow as toSlot, type UploadRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database } from './pool.js';

export function createPostgresUploadRepository(db: Database): UploadRepository {
  return {
    reserve: (s, quotaBytes, now) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.uploads, s.owner);
        const { rowCount } = await tx.query(
          `INSERT INTO uploads (id, owner, filename, size, content_type, put_token, created_at, put_deadline, expires_at)
           SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint
           WHERE (SELECT coalesce(sum(size), 0) FROM uploads WHERE owner = $2 AND expires_at > $10::bigint) + $4 <= $11::bigint`,
          [s.id, s.owner, s.filename, s.size, s.contentType, s.putToken, s.createdAt, s.putDeadline, s.expiresAt, now, quotaBytes],
        );
        return rowCount === 1;
      }),
    async get(id) {
      const { rows } = await db.query<UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE id = $1`, [id]);
      return rows[0] && toSlot(rows[0]);
    },
    async markUploaded(id, at, expiresAt) {
      const { rowCount } = await db.query('UPDATE uploads SET uploaded_at = $1, expires_at = $2 WHERE id = $3 AND uploaded_at IS NULL', [at, expiresAt, id]);
      return rowCount === 1;
    },
    async expired(now, limit) {
      const { rows } = await db.query<UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`, [now, limit]);
      return rows.map(toSlot);
    },
    async forget(id) {
      await db.query('DELETE FROM uploads WHERE id = $1', [id]);
    },
    async expireAccount(owner, now) {
      await db.query('UPDATE uploads SET expires_at = $1 WHERE owner = $2 AND expires_at > $1', [now, owner]);
    },
  };
}
