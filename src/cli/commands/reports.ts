// `herald reports [--domain d] [--json]`: the XEP-0377 reports users attached to blocks, oldest
// first; `--clear` deletes them (all, a domain's, or `--id` ones). Reads storage directly, so it
// works while the server runs.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { confirm } from '../confirm.js';
import { servedDomain, withAccounts, type GlobalOptions } from '../context.js';
import type { AbuseReport, AbuseReportFilter } from '../../storage/types.js';

interface ReportsOptions {
  domain?: string;
  json?: boolean;
  clear?: boolean;
  id?: string[];
  yes?: boolean;
}

function describe(report: AbuseReport): string {
  const lines = [`#${report.id} ${new Date(report.reportedAt).toISOString()} ${report.reporter} reported ${report.reported} (${report.reason})`];
  if (report.text !== undefined) lines.push(`    text: ${report.text}`);
  if (report.stanzaIds.length > 0) lines.push(`    messages (stanza-ids): ${report.stanzaIds.join(', ')}`);
  return lines.join('\n');
}

function reportIds(inputs: string[] | undefined): number[] | undefined {
  return inputs?.map((input) => {
    const id = Number(input);
    if (!Number.isInteger(id) || id < 1) throw new CliError(`--id ${input}: expected a report number as listed by 'herald reports' (e.g. --id 3)`);
    return id;
  });
}

const plural = (n: number): string => `${n} report${n === 1 ? '' : 's'}`;

export function registerReportsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('reports')
    .description('list (or with --clear, delete) the spam and abuse reports users sent with a block (XEP-0377)')
    .option('-d, --domain <domain>', 'only reports made by accounts of this domain')
    .option('--json', 'print the reports as a JSON array')
    .option('--clear', 'delete the reports selected (all, unless --domain or --id)')
    .option('--id <n...>', 'with --clear: only these reports')
    .option('-y, --yes', 'clear without asking (needed when standard input is not a terminal)')
    .action(async (options: ReportsOptions) => {
      if (options.id !== undefined && !options.clear) throw new CliError('--id selects reports to delete: use it with --clear');
      await withAccounts(globals(), async (_accounts, config, storage) => {
        const ids = reportIds(options.id);
        const filter: AbuseReportFilter = {
          ...(options.domain !== undefined && { domain: servedDomain(options.domain, config) }),
          ...(ids !== undefined && { ids }),
        };
        if (options.clear) {
          const scope = [filter.domain && `of ${filter.domain}`, ids && `numbered ${ids.join(', ')}`].filter(Boolean).join(' ') || 'all';
          if (!options.yes && !(await confirm(`Delete the reports (${scope})? [y/N] `))) throw new CliError('kept the reports: not confirmed');
          console.log(`deleted ${plural(await storage.abuseReports.clear(filter))}`);
          return;
        }
        const reports = await storage.abuseReports.list(filter);
        if (options.json) console.log(JSON.stringify(reports.map((r) => ({ ...r, reportedAt: new Date(r.reportedAt).toISOString() })), null, 2));
        else console.log(reports.length === 0 ? 'No reports.' : `${reports.map(describe).join('\n')}\n${plural(reports.length)}`);
      });
    });
}
