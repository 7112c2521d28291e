// Blocklists and abuse reports in process memory, with the SQLite backend's semantics.
import type { AbuseReport, AbuseReportFilter, AbuseReportRepository, BlocklistRepository } from '../types.js';

export function createMemoryBlocklistRepository(assertOpen: () => void): BlocklistRepository {
  const lists = new Map<string, Set<string>>();
  const sorted = (set: Set<string> | undefined): string[] => [...(set ?? [])].sort();
  return {
    async list(account) {
      assertOpen();
      return sorted(lists.get(account));
    },
    async block(account, jids, limit) {
      assertOpen();
      const list = lists.get(account) ?? new Set<string>();
      const added = [...new Set(jids)].filter((jid) => !list.has(jid));
      if (list.size + added.length > limit) return 'full';
      for (const jid of added) list.add(jid);
      lists.set(account, list);
      return added;
    },
    async unblock(account, jids) {
      assertOpen();
      const list = lists.get(account);
      if (!list) return [];
      return [...new Set(jids)].filter((jid) => list.delete(jid));
    },
    async unblockAll(account) {
      assertOpen();
      const held = sorted(lists.get(account));
      lists.delete(account);
      return held;
    },
  };
}

const domainOf = (bareJid: string): string => bareJid.slice(bareJid.indexOf('@') + 1);

function matches(report: AbuseReport, filter: AbuseReportFilter | undefined): boolean {
  if (filter?.domain !== undefined && domainOf(report.reporter) !== filter.domain) return false;
  return filter?.ids === undefined || filter.ids.includes(report.id);
}

export function createMemoryAbuseReportRepository(assertOpen: () => void): AbuseReportRepository {
  let reports: AbuseReport[] = [];
  let nextId = 1;
  const copy = (report: AbuseReport): AbuseReport => ({ ...report, stanzaIds: [...report.stanzaIds] });
  return {
    async add(report, perReporterLimit) {
      assertOpen();
      if (reports.filter((r) => r.reporter === report.reporter).length >= perReporterLimit) return undefined;
      const id = nextId++;
      reports.push(copy({ ...report, id }));
      return id;
    },
    async list(filter) {
      assertOpen();
      return reports.filter((r) => matches(r, filter)).map(copy);
    },
    async clear(filter) {
      assertOpen();
      const before = reports.length;
      reports = reports.filter((r) => !matches(r, filter));
      return before - reports.length;
    },
  };
}
