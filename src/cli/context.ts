// What the admin commands share: the loaded configuration, its storage, and account operations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.js';
import type { HeraldConfig } from '../config/types.js';
import { openStorage, SQLITE_FILE_NAME, storageOptions } from '../storage/open-storage.js';
import type { Storage } from '../storage/types.js';
import { createAccounts, type Accounts } from '../auth/accounts.js';
import { parseJid, type Jid } from '../protocol/jid.js';
import { systemClock } from '../util/clock.js';
import { CliError } from './cli-error.js';

export interface GlobalOptions {
  config?: string;
}

/** The folder Herald is installed in (the checkout, or node_modules/herald): dist/cli/ is two levels down. */
export const INSTALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const INSTALLED_CONFIG_FILE = path.join(INSTALL_DIR, 'config', 'herald.yaml');

export function loadCliConfig(options: GlobalOptions): HeraldConfig {
  const config = loadConfig({ installedFile: INSTALLED_CONFIG_FILE, ...(options.config === undefined ? {} : { path: options.config }) });
  if (config.sourceFile === undefined) {
    // Nothing says which server this is for: say so rather than quietly use a folder nobody else uses.
    process.stderr.write(`herald: no configuration file found (neither ./config/herald.yaml nor ${INSTALLED_CONFIG_FILE}); using built-in defaults, data in ${config.storage.dataDir}\n`);
  }
  return config;
}

/** How to run this CLI again for the same configuration, from any folder (for hints the server prints). */
export function cliInvocation(config: HeraldConfig): string {
  const command = path.resolve(process.cwd()) === INSTALL_DIR ? 'npx herald' : `node ${path.join(INSTALL_DIR, 'dist', 'cli', 'main.js')}`;
  // The installation's own file is found from anywhere; any other must be named.
  return config.sourceFile !== undefined && config.sourceFile !== INSTALLED_CONFIG_FILE ? `${command} --config ${config.sourceFile}` : command;
}

/** Runs `work` with the configured storage open, closing it afterwards. */
export async function withAccounts<T>(options: GlobalOptions, work: (accounts: Accounts, config: HeraldConfig, storage: Storage) => Promise<T>): Promise<T> {
  const config = loadCliConfig(options);
  const chosen = storageOptions(config);
  const databaseFile = path.join(config.storage.dataDir, SQLITE_FILE_NAME);
  if (chosen.kind === 'sqlite' && !fs.existsSync(databaseFile)) {
    // A server creates its database on start, so a missing one means no server has used this
    // configuration: the change would be invisible to the server the admin has in mind.
    process.stderr.write(
      `herald: warning: there is no database at ${databaseFile}, so no server has run with this configuration (${config.sourceFile ?? 'built-in defaults'}); creating a new one. If a server is running, pass its --config.\n`,
    );
  }
  const storage = await openStorage(chosen);
  try {
    return await work(createAccounts({ storage, iterations: config.auth.scramIterations, clock: systemClock }), config, storage);
  } finally {
    await storage.close();
  }
}

/** A user@domain address on a domain this configuration serves. */
export function accountJid(input: string, config: HeraldConfig): Jid {
  let jid: Jid;
  try {
    jid = parseJid(input);
  } catch (error) {
    throw new CliError(`'${input}' is not a valid JID: ${(error as Error).message}`);
  }
  if (!jid.local || jid.resource) throw new CliError(`'${input}' is not an account address (expected user@domain)`);
  servedDomain(jid.domain, config);
  return jid;
}

/** `input` as a domain this configuration serves (lower-cased), or a CliError naming the served ones. */
export function servedDomain(input: string, config: HeraldConfig): string {
  const domain = input.toLowerCase().replace(/\.$/, '');
  if (!config.domains.some((d) => d.name === domain)) {
    const served = config.domains.map((d) => d.name).join(', ');
    throw new CliError(`domain '${domain}' is not served by this configuration (${config.sourceFile ?? 'built-in defaults'}); served: ${served}`);
  }
  return domain;
}
