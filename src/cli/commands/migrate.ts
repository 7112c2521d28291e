// `herald export` and `herald import`: accounts with their data as XEP-0227 files, to move
// between Herald installations or from Prosody (prosody-migrator's xep0227 store) and ejabberd
// (`ejabberdctl export_piefxis`). Import before starting the server (or restart it after).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { importFiles, type ImportReport } from '../../migration/importer.js';
import { PieFormatError } from '../../migration/pie-reader.js';
import { exportAccounts } from '../../migration/pie-writer.js';
import { systemClock } from '../../util/clock.js';
import { CliError } from '../cli-error.js';
import { servedDomain, withAccounts, type GlobalOptions } from '../context.js';
import { terminalProgress } from '../progress.js';

const DEFAULT_MAX_ITEMS_PER_NODE = 256;

/** The files to read: files as given; for a folder, its .xml files that no other one includes. */
export function importFileList(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new CliError(`${input}: no such file or folder`);
    if (!fs.statSync(input).isDirectory()) {
      files.push(input);
      continue;
    }
    const xmlFiles = fs.readdirSync(input).filter((f) => f.endsWith('.xml')).sort().map((f) => path.join(input, f));
    const included = new Set<string>();
    for (const file of xmlFiles) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/<(?:[A-Za-z0-9_-]+:)?include\b[^>]*\bhref=(["'])([^"']+)\1/g)) included.add(path.resolve(path.dirname(file), match[2]!));
    }
    files.push(...xmlFiles.filter((f) => !included.has(path.resolve(f))));
  }
  if (files.length === 0) throw new CliError(`no .xml files in ${inputs.join(', ')}`);
  return files;
}

function printReport(report: ImportReport): void {
  console.log(`imported ${report.imported.length} account${report.imported.length === 1 ? '' : 's'}`);
  for (const [what, n] of Object.entries(report.counts)) console.log(`  ${what}: ${n}`);
  for (const s of report.skipped) console.log(`skipped ${s.account}: ${s.reason}`);
  for (const w of report.warnings) console.log(`warning: ${w}`);
  if (report.sha1Only.length > 0) {
    console.log(
      `note: ${report.sha1Only.length} account(s) came with SCRAM-SHA-1 keys only (Prosody keeps no others): they log in with SCRAM-SHA-1 or PLAIN; a first PLAIN login, or \`herald user passwd\`, adds SCRAM-SHA-256 keys. ${report.sha1Only.join(', ')}`,
    );
  }
  if (report.noCredentials.length > 0) console.log(`note: no password or SCRAM keys for ${report.noCredentials.join(', ')}: set one with \`herald user passwd\``);
}

export function registerMigrationCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export [domain...]')
    .description('write accounts with their rosters, vCards, PEP, private XML, offline and archived messages as XEP-0227 XML')
    .requiredOption('-o, --out <file>', 'the file to write (created with mode 0600: it holds password keys)')
    .action(async (domainArgs: string[], options: { out: string }) => {
      await withAccounts(globals(), async (_accounts, config, storage) => {
        const domains = domainArgs.length > 0 ? domainArgs.map((d) => servedDomain(d, config)) : config.domains.map((d) => d.name);
        if (fs.existsSync(options.out)) throw new CliError(`${options.out} exists; choose a new file name`);
        const progress = terminalProgress();
        const report = await exportAccounts({ storage, domains, out: options.out, onAccount: (done, total) => progress.update(`exporting: ${done}/${total} accounts`) });
        progress.done();
        console.log(`exported ${report.accounts} account${report.accounts === 1 ? '' : 's'} (${report.archived} archived messages) to ${options.out}`);
      });
    });

  program
    .command('import <path...>')
    .description('create accounts from XEP-0227 files or folders (Herald, Prosody or ejabberd exports); existing accounts are left alone')
    .action(async (inputs: string[]) => {
      const files = importFileList(inputs);
      const totalBytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
      await withAccounts(globals(), async (_accounts, config, storage) => {
        const progress = terminalProgress();
        let read = 0;
        let accounts = 0;
        const show = (): void => progress.update(`importing: ${Math.min(99, Math.floor((100 * read) / Math.max(1, totalBytes)))}% (${accounts} accounts)`);
        const maxItems = config.modules['pep']?.options?.['maxItemsPerNode'];
        const report = await importFiles(files, {
          storage,
          domains: config.domains.map((d) => d.name),
          scramIterations: config.auth.scramIterations,
          maxItemsPerNode: typeof maxItems === 'number' ? maxItems : DEFAULT_MAX_ITEMS_PER_NODE,
          now: () => systemClock.now(),
          onBytes: (n) => {
            read += n;
            show();
          },
          onAccount: () => {
            accounts += 1;
            show();
          },
        }).catch((error: unknown) => {
          progress.done();
          // The file is at fault, not Herald: one line naming the file and the problem.
          throw error instanceof PieFormatError ? new CliError(`import stopped: ${error.message}`) : error;
        });
        progress.done();
        printReport(report);
      });
    });
}
