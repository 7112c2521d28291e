// Blocklists (XEP-0191) and abuse reports (XEP-0377) in PostgreSQL. Each limit is checked in the
// transaction that writes, under the account's (or reporter's) advisory lock, so two nodes cannot
// both pass it; removals are single statements.
import type { AbuseReportFilter, AbuseReportRepository, BlocklistRepository } from '../types.js';
import { ABUSE_REPORT_COLUMNS as COLUMNS, abuseReportFromRow as toReport, domainOfBare, type AbuseReportRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database, type Queryable } from './pool.js';

// COLLATE "C": JID order byte by byte, as SQLite orders them.
const BY_JID = 'ORDER BY jid COLLATE "C"';

export function createPostgresBlocklistRepository(db: Database): BlocklistRepository {
  return {
    async list(account) {
      const { rows } = await db.query<{ jid: string }>(`SELECT jid FROM blocklist WHERE account = $1 ${BY_JID}`, [account]);
      return rows.map((row) => row.jid);
    },
    block: (account, jids, limit) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.blocklist, account);
        const { rows } = await tx.query<{ jid: string }>('SELECT jid FROM blocklist WHERE account = $1', [account]);
        const listed = new Set(rows.map((row) => row.jid));
        const added = [...new Set(jids)].filter((jid) => !listed.has(jid));
        if (listed.size + added.length > limit) return 'full';
        if (added.length > 0) {
          await tx.query('INSERT INTO blocklist (account, jid) SELECT $1, unnest($2::text[]) ON CONFLICT (account, jid) DO NOTHING', [account, added]);
        }
        return added;
      }),
    async unblock(account, jids) {
      const { rows } = await db.query<{ jid: string }>('DELETE FROM blocklist WHERE account = $1 AND jid = ANY($2::text[]) RETURNING jid', [
        account,
        [...new Set(jids)],
      ]);
      const removed = new Set(rows.map((row) => row.jid));
      return [...new Set(jids)].filter((jid) => removed.has(jid));
    },
    async unblockAll(account) {
      const { rows } = await db.query<{ jid: string }>(
        `WITH removed AS (DELETE FROM blocklist WHERE account = $1 RETURNING jid) SELECT jid FROM removed ${BY_JID}`,
        [account],
      );
      return rows.map((row) => row.jid);
    },
  };
}

/** The WHERE clause and values a filter selects reports by. */
function where(filter: AbuseReportFilter | undefined): { clause: string; values: unknown[] } {
  const values: unknown[] = [];
  const conditions: string[] = [];
  if (filter?.ids !== undefined) conditions.push(`id = ANY($${values.push([...filter.ids])}::bigint[])`);
  if (filter?.domain !== undefined) conditions.push(`reporter_domain = $${values.push(filter.domain)}`);
  return { clause: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, values };
}

async function insertReport(tx: Queryable, report: Parameters<AbuseReportRepository['add']>[0]): Promise<number | undefined> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO abuse_reports (reporter, reporter_domain, reported, reason, text, stanza_ids, reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [report.reporter, domainOfBare(report.reporter), report.reported, report.reason, report.text ?? null, JSON.stringify(report.stanzaIds), report.reportedAt],
  );
  return rows[0]?.id;
}

export function createPostgresAbuseReportRepository(db: Database): AbuseReportRepository {
  return {
    add: (report, perReporterLimit) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.abuseReporter, report.reporter);
        const { rows } = await tx.query<{ n: number }>('SELECT count(*) AS n FROM abuse_reports WHERE reporter = $1', [report.reporter]);
        if ((rows[0]?.n ?? 0) >= perReporterLimit) return undefined;
        return insertReport(tx, report);
      }),
    async list(filter) {
      const { clause, values } = where(filter);
      const { rows } = await db.query<AbuseReportRow>(`SELECT ${COLUMNS} FROM abuse_reports ${clause} ORDER BY id`, values);
      return rows.map(toReport);
    },
    async clear(filter) {
      const { clause, values } = where(filter);
      const { rowCount } = await db.query(`DELETE FROM abuse_reports ${clause}`, values);
      return rowCount ?? 0;
    },
  };
}
