// Blocklists and abuse reports in SQLite (tables blocklist and abuse_reports, a late migration step).
import type { AbuseReport, AbuseReportFilter, AbuseReportRepository, BlocklistRepository } from '../types.js';
import { ABUSE_REPORT_COLUMNS as COLUMNS, abuseReportFromRow as toReport, domainOfBare, type AbuseReportRow as ReportRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export function createSqliteBlocklistRepository(db: SqliteDatabase): BlocklistRepository {
  const select = db.prepare<[string], { jid: string }>('SELECT jid FROM blocklist WHERE account = ? ORDER BY jid');
  const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM blocklist WHERE account = ?');
  const insert = db.prepare<[string, string]>('INSERT INTO blocklist (account, jid) VALUES (?, ?) ON CONFLICT (account, jid) DO NOTHING');
  const has = db.prepare<[string, string], { found: 1 }>('SELECT 1 AS found FROM blocklist WHERE account = ? AND jid = ?');
  const remove = db.prepare<[string, string]>('DELETE FROM blocklist WHERE account = ? AND jid = ?');
  const removeAll = db.prepare<[string]>('DELETE FROM blocklist WHERE account = ?');

  // The count and the inserts share one IMMEDIATE transaction, so two writers cannot both pass
  // the limit; a block of several JIDs is stored whole or not at all.
  const blockTx = db.transaction((account: string, jids: readonly string[], limit: number): string[] | 'full' => {
    const added = [...new Set(jids)].filter((jid) => !has.get(account, jid));
    if ((count.get(account)?.n ?? 0) + added.length > limit) return 'full';
    for (const jid of added) insert.run(account, jid);
    return added;
  });
  const unblockTx = db.transaction((account: string, jids: readonly string[]): string[] =>
    [...new Set(jids)].filter((jid) => remove.run(account, jid).changes > 0),
  );
  const unblockAllTx = db.transaction((account: string): string[] => {
    const held = select.all(account).map((row) => row.jid);
    removeAll.run(account);
    return held;
  });

  return {
    async list(account) {
      return select.all(account).map((row) => row.jid);
    },
    async block(account, jids, limit) {
      return blockTx.immediate(account, jids, limit);
    },
    async unblock(account, jids) {
      return unblockTx.immediate(account, jids);
    },
    async unblockAll(account) {
      return unblockAllTx.immediate(account);
    },
  };
}

export function createSqliteAbuseReportRepository(db: SqliteDatabase): AbuseReportRepository {
  const countByReporter = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM abuse_reports WHERE reporter = ?');
  const insert = db.prepare<[string, string, string, string, string | null, string, number]>(
    'INSERT INTO abuse_reports (reporter, reporter_domain, reported, reason, text, stanza_ids, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectAll = db.prepare<[], ReportRow>(`SELECT ${COLUMNS} FROM abuse_reports ORDER BY id`);
  const selectByDomain = db.prepare<[string], ReportRow>(`SELECT ${COLUMNS} FROM abuse_reports WHERE reporter_domain = ? ORDER BY id`);
  const selectById = db.prepare<[number], ReportRow & { reporter_domain: string }>(`SELECT ${COLUMNS}, reporter_domain FROM abuse_reports WHERE id = ?`);
  const deleteAll = db.prepare<[]>('DELETE FROM abuse_reports');
  const deleteByDomain = db.prepare<[string]>('DELETE FROM abuse_reports WHERE reporter_domain = ?');
  const deleteById = db.prepare<[number]>('DELETE FROM abuse_reports WHERE id = ?');

  const addTx = db.transaction((report: Omit<AbuseReport, 'id'>, limit: number): number | undefined => {
    if ((countByReporter.get(report.reporter)?.n ?? 0) >= limit) return undefined;
    const domain = domainOfBare(report.reporter);
    const info = insert.run(report.reporter, domain, report.reported, report.reason, report.text ?? null, JSON.stringify(report.stanzaIds), report.reportedAt);
    return Number(info.lastInsertRowid);
  });

  /** Reports picked by id, kept only when they also match the domain. */
  const byIds = (ids: readonly number[], domain: string | undefined): ReportRow[] =>
    [...new Set(ids)]
      .map((id) => selectById.get(id))
      .filter((row): row is ReportRow & { reporter_domain: string } => row !== undefined && (domain === undefined || row.reporter_domain === domain))
      .sort((a, b) => a.id - b.id);

  const clearTx = db.transaction((filter: AbuseReportFilter | undefined): number => {
    if (filter?.ids !== undefined) return byIds(filter.ids, filter.domain).reduce((n, row) => n + deleteById.run(row.id).changes, 0);
    if (filter?.domain !== undefined) return deleteByDomain.run(filter.domain).changes;
    return deleteAll.run().changes;
  });

  return {
    async add(report, perReporterLimit) {
      return addTx.immediate(report, perReporterLimit);
    },
    async list(filter) {
      if (filter?.ids !== undefined) return byIds(filter.ids, filter.domain).map(toReport);
      return (filter?.domain !== undefined ? selectByDomain.all(filter.domain) : selectAll.all()).map(toReport);
    },
    async clear(filter) {
      return clearTx.immediate(filter);
    },
  };
}
