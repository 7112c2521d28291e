// `herald import`: reads XEP-0227 files unit by unit and writes each account into storage.
// Accounts that already exist, or live on a domain this configuration does not serve, are
// skipped and reported; nothing existing is overwritten.
import { deriveAllCredentials } from '../auth/scram-credentials.js';
import { createJid, JidError, type Jid } from '../protocol/jid.js';
import type { ScramCredential, Storage } from '../storage/types.js';
import type { Element } from '../xml/element.js';
import { createRandomIds } from '../util/clock.js';
import { importArchived, importOfflineMessage, importPendingRequest, importPepItems, importPepOwner, importPrivate, importRoster, importVCard, type ImportTarget } from './import-data.js';
import { PIE } from './pie.js';
import { readPie, type PieUnit } from './pie-reader.js';
import { CredentialImportError, scramCredentialFrom } from './scram-import.js';

export interface ImportOptions {
  storage: Storage;
  domains: readonly string[];
  scramIterations: number;
  maxItemsPerNode: number;
  now: () => number;
  onBytes?: (bytes: number) => void;
  onAccount?: (account: string) => void;
}

export interface ImportReport {
  imported: string[];
  skipped: Array<{ account: string; reason: string }>;
  counts: Record<string, number>;
  warnings: string[];
  /** Accounts that can log in only with SCRAM-SHA-1 or PLAIN (no SHA-256 keys in the export). */
  sha1Only: string[];
  /** Accounts with neither a password nor SCRAM keys in the export. */
  noCredentials: string[];
}

interface Current {
  jid: Jid;
  skip: boolean;
  credentials: ScramCredential[];
}

const MAX_WARNINGS = 200;

export async function importFiles(files: readonly string[], options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { imported: [], skipped: [], counts: {}, warnings: [], sha1Only: [], noCredentials: [] };
  const ids = createRandomIds();
  const unknown = new Map<string, number>();
  const warn = (message: string): void => {
    if (report.warnings.length < MAX_WARNINGS) report.warnings.push(message);
  };
  const count = (what: string, n = 1): void => {
    report.counts[what] = (report.counts[what] ?? 0) + n;
  };
  let current: Current | undefined;

  const target = (jid: Jid): ImportTarget => ({
    storage: options.storage,
    account: jid.toBareString(),
    domain: jid.domain,
    now: options.now(),
    newId: () => ids.next(),
    maxItemsPerNode: options.maxItemsPerNode,
    warn,
    count,
  });

  async function setCredentials(cur: Current, credentials: ScramCredential[]): Promise<void> {
    for (const c of credentials) cur.credentials = [...cur.credentials.filter((k) => k.mechanism !== c.mechanism), c];
    await options.storage.users.setCredentials(cur.jid.domain, cur.jid.local, cur.credentials);
  }

  async function start(unit: Extract<PieUnit, { kind: 'user-start' }>): Promise<void> {
    let jid: Jid;
    try {
      jid = createJid(unit.name, unit.domain);
    } catch (error) {
      if (!(error instanceof JidError)) throw error;
      report.skipped.push({ account: `${unit.name}@${unit.domain}`, reason: `not a valid address: ${error.message}` });
      current = undefined;
      return;
    }
    const account = jid.toBareString();
    current = { jid, skip: true, credentials: [] };
    if (!options.domains.includes(jid.domain)) return void report.skipped.push({ account, reason: `domain ${jid.domain} is not served by this configuration` });
    if (!(await options.storage.users.create(jid.domain, jid.local, [], options.now()))) return void report.skipped.push({ account, reason: 'the account already exists here' });
    current.skip = false;
    report.imported.push(account);
    options.onAccount?.(account);
    if (unit.password !== undefined && unit.password !== '') await setCredentials(current, await deriveAllCredentials(unit.password, options.scramIterations));
  }

  async function data(cur: Current, container: string, el: Element): Promise<void> {
    const t = target(cur.jid);
    if (container === 'archive') return importArchived(t, el);
    if (container === 'offline-messages') return importOfflineMessage(t, el);
    const ns = el.attrs.xmlns;
    if (el.name === 'scram-credentials' && ns === PIE.scram) {
      try {
        const credential = scramCredentialFrom(el);
        if (credential) await setCredentials(cur, [credential]);
        else warn(`${t.account}: SCRAM credentials for ${el.attrs.mechanism ?? '?'} skipped: Herald keeps SCRAM-SHA-1 and SCRAM-SHA-256`);
      } catch (error) {
        if (!(error instanceof CredentialImportError)) throw error;
        warn(`${t.account}: SCRAM credentials skipped: ${error.message}`);
      }
      return;
    }
    if (el.name === 'query' && ns === PIE.roster) return importRoster(t, el);
    if (el.name === 'presence') return importPendingRequest(t, el);
    if (el.name === 'vCard' && ns === PIE.vcard) return importVCard(t, el);
    if (el.name === 'query' && ns === PIE.privateXml) return importPrivate(t, el);
    if (el.name === 'pubsub' && ns === PIE.pubsubOwner) return importPepOwner(t, el);
    if (el.name === 'pubsub' && ns === PIE.pubsub) return importPepItems(t, el);
    const key = `<${el.name} xmlns='${ns ?? ''}'>`;
    unknown.set(key, (unknown.get(key) ?? 0) + 1);
  }

  for (const file of files) {
    for await (const unit of readPie(file, {}, options.onBytes ? { onBytes: options.onBytes } : {})) {
      if (unit.kind === 'user-start') await start(unit);
      else if (unit.kind === 'ignored') unknown.set(`<${unit.name}/> outside a user`, (unknown.get(`<${unit.name}/> outside a user`) ?? 0) + 1);
      else if (!current || current.skip) continue;
      else if (unit.kind === 'user-data') await data(current, unit.in, unit.element);
      else if (unit.kind === 'user-end') {
        const account = current.jid.toBareString();
        if (current.credentials.length === 0) report.noCredentials.push(account);
        else if (!current.credentials.some((c) => c.mechanism === 'SCRAM-SHA-256')) report.sha1Only.push(account);
        current = undefined;
      }
    }
  }
  for (const [what, n] of unknown) warn(`not imported (Herald does not keep it): ${what} ×${n}`);
  return report;
}
