#!/usr/bin/env node
// `herald <command>`: the server and its admin tools. Errors print as one line, exit code 1.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { CliError } from './cli-error.js';
import type { GlobalOptions } from './context.js';
import { registerStartCommand } from './commands/start.js';
import { registerUserCommands } from './commands/user.js';
import { registerUserArchiveCommand } from './commands/user-archive.js';
import { registerCertCommands } from './commands/cert.js';
import { registerConfigCommands } from './commands/config.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerS2sCommands } from './commands/s2s.js';
import { registerSessionsCommand } from './commands/sessions.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerInviteCommands } from './commands/invite.js';
import { registerMigrationCommands } from './commands/migrate.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerReportsCommand } from './commands/reports.js';

const program = new Command()
  .name('herald')
  .description('Herald XMPP server')
  .option('-c, --config <file>', 'configuration file (default: $HERALD_CONFIG, else config/herald.yaml)')
  .showHelpAfterError()
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
registerStartCommand(program, globals);
registerUserCommands(program, globals);
registerUserArchiveCommand(program, globals);
registerCertCommands(program, globals);
registerConfigCommands(program, globals);
registerBenchCommand(program);
registerS2sCommands(program, globals);
registerSessionsCommand(program, globals);
registerDoctorCommand(program, globals);
registerInviteCommands(program, globals);
registerMigrationCommands(program, globals);
registerClusterCommands(program, globals);
registerReportsCommand(program, globals);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander but successes to the user.
    process.exit(error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : 2);
  }
  // One line for the admin; the stack only when asked for (HERALD_DEBUG=1) or for non-Errors.
  const debug = process.env.HERALD_DEBUG === '1' && !(error instanceof CliError || error instanceof ConfigError);
  const text = error instanceof Error ? (debug ? error.stack : error.message) : String(error);
  process.stderr.write(`herald: ${text}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
}
