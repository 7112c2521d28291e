// XEP-0357 push registrations in PostgreSQL. enable counts and writes in one transaction under the
// account's advisory lock; due is one UPDATE, so nodes delivering to one account at once serialise
// on its rows and each message is counted exactly once.
import type { PushRepository } from '../types.js';
import { pushRegistrationFromRow as registrationOf, type PushRegistrationRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database } from './pool.js';

export function createPostgresPushRepository(db: Database): PushRepository {
  return {
    enable: (account, registration, maxPerAccount) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.push, account);
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*) AS n FROM push_registrations WHERE account = $1 AND NOT (service = $2 AND node = $3)',
          [account, registration.service, registration.node],
        );
        if ((rows[0]?.n ?? 0) >= maxPerAccount) return 'full';
        await tx.query(
          `INSERT INTO push_registrations (account, service, node, publish_options) VALUES ($1, $2, $3, $4)
           ON CONFLICT (account, service, node) DO UPDATE SET publish_options = excluded.publish_options`,
          [account, registration.service, registration.node, registration.publishOptions ?? null],
        );
        return 'stored';
      }),
    async disable(account, service, node) {
      const { rowCount } =
        node === undefined
          ? await db.query('DELETE FROM push_registrations WHERE account = $1 AND service = $2', [account, service])
          : await db.query('DELETE FROM push_registrations WHERE account = $1 AND service = $2 AND node = $3', [account, service, node]);
      return rowCount ?? 0;
    },
    async list(account) {
      const { rows } = await db.query<PushRegistrationRow>(
        'SELECT service, node, publish_options FROM push_registrations WHERE account = $1 ORDER BY service COLLATE "C", node COLLATE "C"',
        [account],
      );
      return rows.map(registrationOf);
    },
    async due(account, now, minIntervalMs) {
      // Every SET expression sees the old row. A claimed row ends with pending = 0; one held back
      // ends with pending >= 1 (this message counted), which is how RETURNING tells them apart.
      const { rows } = await db.query<PushRegistrationRow & { pushed_count: number; claimed: boolean }>(
        `UPDATE push_registrations SET
           pushed_count = CASE WHEN last_push_at <= $3 THEN pending + 1 ELSE pushed_count END,
           pending      = CASE WHEN last_push_at <= $3 THEN 0 ELSE pending + 1 END,
           last_push_at = CASE WHEN last_push_at <= $3 THEN $2 ELSE last_push_at END
         WHERE account = $1
         RETURNING service, node, publish_options, pushed_count, pending = 0 AS claimed`,
        [account, now, now - minIntervalMs],
      );
      return rows.filter((row) => row.claimed).map((row) => ({ ...registrationOf(row), count: row.pushed_count }));
    },
    async deleteAccount(account) {
      await db.query('DELETE FROM push_registrations WHERE account = $1', [account]);
    },
  };
}
