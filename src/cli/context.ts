// What the admin commands share: the loaded configuration, its storage, and account operations.
import { loadConfig } from '../config/load.js';
import type { HeraldConfig } from '../config/types.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/types.js';
import { createAccounts, type Accounts } from '../auth/accounts.js';
import { parseJid, type Jid } from '../protocol/jid.js';
import { systemClock } from '../util/clock.js';
import { CliError } from './cli-error.js';

export interface GlobalOptions {
  config?: string;
}

export function loadCliConfig(options: GlobalOptions): HeraldConfig {
  return loadConfig(options.config === undefined ? {} : { path: options.config });
}

/** Runs `work` with the configured storage open, closing it afterwards. */
export async function withAccounts<T>(options: GlobalOptions, work: (accounts: Accounts, config: HeraldConfig, storage: Storage) => Promise<T>): Promise<T> {
  const config = loadCliConfig(options);
  const storage = openStorage({ kind: 'sqlite', dataDir: config.storage.dataDir });
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
  if (!config.domains.some((d) => d.name === jid.domain)) {
    const served = config.domains.map((d) => d.name).join(', ');
    throw new CliError(`domain '${jid.domain}' is not served by this configuration (${config.sourceFile ?? 'built-in defaults'}); served: ${served}`);
  }
  return jid;
}
