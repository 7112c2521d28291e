// XEP-0357 push registrations in SQLite (table push_registrations, the last migration step).
// Plain SQL that PostgreSQL runs as is: the count check and insert, and the rate-limit claim,
// are each one transaction.
import type { PushDue, PushRegistration, PushRepository } from '../types.js';
import { pushRegistrationFromRow as registrationOf, type PushRegistrationRow as Row } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export function createSqlitePushRepository(db: SqliteDatabase): PushRepository {
  const selectAll = db.prepare<[string], Row>('SELECT service, node, publish_options FROM push_registrations WHERE account = ? ORDER BY service, node');
  const countOthers = db.prepare<[string, string, string], { n: number }>(
    'SELECT count(*) AS n FROM push_registrations WHERE account = ? AND NOT (service = ? AND node = ?)',
  );
  const upsert = db.prepare<[string, string, string, string | null]>(
    `INSERT INTO push_registrations (account, service, node, publish_options) VALUES (?, ?, ?, ?)
     ON CONFLICT (account, service, node) DO UPDATE SET publish_options = excluded.publish_options`,
  );
  const deleteService = db.prepare<[string, string]>('DELETE FROM push_registrations WHERE account = ? AND service = ?');
  const deleteNode = db.prepare<[string, string, string]>('DELETE FROM push_registrations WHERE account = ? AND service = ? AND node = ?');
  const deleteAll = db.prepare<[string]>('DELETE FROM push_registrations WHERE account = ?');
  const countPending = db.prepare<[string]>('UPDATE push_registrations SET pending = pending + 1 WHERE account = ?');
  // The right-hand sides see the old row: pushed_count takes the pending count before it is reset.
  const claim = db.prepare<[number, string, number], Row & { pushed_count: number }>(
    `UPDATE push_registrations SET pushed_count = pending, pending = 0, last_push_at = ?
     WHERE account = ? AND last_push_at <= ?
     RETURNING service, node, publish_options, pushed_count`,
  );

  const enableTx = db.transaction((account: string, registration: PushRegistration, maxPerAccount: number): 'stored' | 'full' => {
    if ((countOthers.get(account, registration.service, registration.node)?.n ?? 0) >= maxPerAccount) return 'full';
    upsert.run(account, registration.service, registration.node, registration.publishOptions ?? null);
    return 'stored';
  });
  const dueTx = db.transaction((account: string, now: number, minIntervalMs: number): PushDue[] => {
    countPending.run(account);
    return claim.all(now, account, now - minIntervalMs).map((row) => ({ ...registrationOf(row), count: row.pushed_count }));
  });

  return {
    async enable(account, registration, maxPerAccount) {
      return enableTx.immediate(account, registration, maxPerAccount);
    },
    async disable(account, service, node) {
      return (node === undefined ? deleteService.run(account, service) : deleteNode.run(account, service, node)).changes;
    },
    async list(account) {
      return selectAll.all(account).map(registrationOf);
    },
    async due(account, now, minIntervalMs) {
      return dueTx.immediate(account, now, minIntervalMs);
    },
    async deleteAccount(account) {
      deleteAll.run(account);
    },
  };
}
