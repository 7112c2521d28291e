// `herald user add|passwd|del|role|list|stats|tokens`: account administration. Works while the server runs
// (SQLite in WAL mode lets both write).
import type { Command } from 'commander';
import { passwordProblem } from '../../auth/password-policy.js';
import { roleOf, setRole, type AccountRole } from '../../auth/roles.js';
import { createJid } from '../../protocol/jid.js';
import type { HeraldConfig } from '../../config/types.js';
import { CliError } from '../cli-error.js';
import { accountJid, servedDomain, withAccounts, type GlobalOptions } from '../context.js';
import { confirm } from '../confirm.js';
import { promptPassword, readPasswordFromStdin } from '../read-password.js';

interface PasswordOptions {
  passwordStdin?: boolean;
}

async function newPassword(options: PasswordOptions, config: HeraldConfig): Promise<string> {
  const password = await (options.passwordStdin ? readPasswordFromStdin() : promptPassword('Password: ', true));
  const weak = passwordProblem(password, config.auth.minPasswordLength);
  if (weak !== undefined) throw new CliError(weak);
  return password;
}

export function registerUserCommands(program: Command, globals: () => GlobalOptions): void {
  const user = program.command('user').description('manage user accounts');

  user
    .command('add <jid>')
    .description('create an account, e.g. herald user add alice@localhost')
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(async (input: string, options: PasswordOptions) => {
      await withAccounts(globals(), async (accounts, config) => {
        const jid = accountJid(input, config);
        if (await accounts.exists(jid)) throw new CliError(`account ${jid} already exists`);
        const outcome = await accounts.create(jid, await newPassword(options, config));
        if (outcome === 'exists') throw new CliError(`account ${jid} already exists`);
        console.log(`created ${jid}`);
      });
    });

  user
    .command('passwd <jid>')
    .description("change an account's password")
    .option('--password-stdin', 'read the new password from standard input instead of prompting')
    .action(async (input: string, options: PasswordOptions) => {
      await withAccounts(globals(), async (accounts, config) => {
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        if (!(await accounts.setPassword(jid, await newPassword(options, config)))) throw new CliError(`no account ${jid}`);
        console.log(`password changed for ${jid}`);
      });
    });

  user
    .command('role <jid> <role>')
    .description('make an account an administrator (admin: the web console, account invitations) or an ordinary user (user)')
    .action(async (input: string, role: string) => {
      await withAccounts(globals(), async (accounts, config, storage) => {
        if (role !== 'admin' && role !== 'user') throw new CliError(`role: expected admin or user, found '${role}'`);
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        await setRole(storage, jid, role as AccountRole);
        console.log(`${jid} is now ${role === 'admin' ? 'an administrator' : 'an ordinary user'}`);
      });
    });

  user
    .command('del <jid>')
    .alias('delete')
    .description('delete an account and everything stored for it (asks first, unless --yes)')
    .option('-y, --yes', 'delete without asking (needed when standard input is not a terminal)')
    .action(async (input: string, options: { yes?: boolean }) => {
      await withAccounts(globals(), async (accounts, config) => {
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        if (!options.yes && !(await confirm(`Delete ${jid} and everything stored for it (roster, offline messages)? [y/N] `))) {
          throw new CliError(`kept ${jid}: not confirmed`);
        }
        if (!(await accounts.delete(jid))) throw new CliError(`no account ${jid}`);
        console.log(`deleted ${jid}`);
      });
    });

  user
    .command('stats <jid>')
    .description('show what is stored for an account (offline messages waiting)')
    .action(async (input: string) => {
      await withAccounts(globals(), async (accounts, config, storage) => {
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        const count = await storage.offline.count(jid.toBareString());
        console.log(`${jid}: ${count} offline message${count === 1 ? '' : 's'}`);
      });
    });

  user
    .command('tokens <jid>')
    .description('list the XEP-0484 FAST reconnect tokens of an account, or --revoke them all')
    .option('--revoke', 'revoke every token: each client must log in with the password again')
    .action(async (input: string, options: { revoke?: boolean }) => {
      await withAccounts(globals(), async (accounts, config, storage) => {
        const jid = accountJid(input, config);
        if (!(await accounts.exists(jid))) throw new CliError(`no account ${jid}`);
        if (options.revoke) {
          const count = await storage.fastTokens.revoke(jid.toBareString());
          console.log(`revoked ${count} token${count === 1 ? '' : 's'} of ${jid}`);
          return;
        }
        const tokens = await storage.fastTokens.list(jid.toBareString());
        if (tokens.length === 0) console.log(`${jid}: no tokens`);
        const at = (ms: number): string => new Date(ms).toISOString();
        // The client is shown by its user-agent hash (the id itself is the client's secret).
        for (const t of tokens) console.log(`client ${t.client}  ${t.slot.padEnd(7)}  ${t.mechanism}  issued ${at(t.issuedAt)}  expires ${at(t.expiresAt)}`);
      });
    });

  user
    .command('list [domain]')
    .description('list accounts, of one domain or all')
    .action(async (domain: string | undefined) => {
      await withAccounts(globals(), async (accounts, config, storage) => {
        const only = domain === undefined ? undefined : servedDomain(domain, config);
        for (const record of await accounts.list(only)) {
          const role = await roleOf(storage, createJid(record.username, record.domain));
          console.log(`${record.username}@${record.domain}${role === 'admin' ? '  admin' : ''}`);
        }
      });
    });
}
