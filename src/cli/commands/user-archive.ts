// `herald user archive <jid> --export | --purge`: an account's message archive (XEP-0313).
// --export writes it to standard output as JSON lines, oldest first, a page at a time (so a
// million-message archive never sits in memory); --purge deletes it. Works while the server runs.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { accountJid, withAccounts, type GlobalOptions } from '../context.js';
import type { Storage } from '../../storage/types.js';

interface ArchiveOptions {
  export?: boolean;
  purge?: boolean;
}

const PAGE = 1000;

/** Resolves once stdout took the line (or is ready for more), so a slow pipe slows the export. */
function writeLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', resolve).once('error', reject);
  });
}

async function exportArchive(storage: Storage, account: string): Promise<number> {
  let after: string | undefined;
  let exported = 0;
  for (;;) {
    const page = await storage.archive.query(account, { max: PAGE, fromEnd: false, after: after === undefined ? [] : [after] });
    // The id a page ended on was removed meanwhile (retention or a purge): stop rather than restart.
    if (!page) throw new CliError(`the archive of ${account} changed while it was exported (message ${after} is gone); run the export again`);
    for (const message of page.messages) {
      await writeLine(
        JSON.stringify({ id: message.id, with: message.with, direction: message.direction, timestamp: new Date(message.timestamp).toISOString(), stanza: message.stanza }),
      );
    }
    exported += page.messages.length;
    if (page.complete || page.messages.length === 0) return exported;
    after = page.messages[page.messages.length - 1]?.id;
  }
}

export function registerUserArchiveCommand(program: Command, globals: () => GlobalOptions): void {
  const user = program.commands.find((command) => command.name() === 'user');
  if (!user) throw new Error('the user command must be registered before user archive');
  user
    .command('archive <jid>')
    .description("export (JSON lines on stdout, oldest first) or purge an account's message archive")
    .option('--export', 'write every archived message to standard output')
    .option('--purge', 'delete every archived message of the account')
    .action(async (input: string, options: ArchiveOptions) => {
      if (options.export === options.purge) throw new CliError('give exactly one of --export or --purge');
      await withAccounts(globals(), async (accounts, config, storage) => {
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        if (options.export) {
          const count = await exportArchive(storage, jid.toBareString());
          console.error(`exported ${count} archived message${count === 1 ? '' : 's'} of ${jid}`);
        } else {
          const count = await storage.archive.deleteAccount(jid.toBareString());
          console.log(`purged ${count} archived message${count === 1 ? '' : 's'} of ${jid}`);
        }
      });
    });
}
