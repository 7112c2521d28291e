// The mam module's options (`modules.mam.options` in the configuration).

export type ArchiveDefault = 'always' | 'never' | 'roster';

export interface MamOptions {
  /** XEP-0441 default for accounts that set no preference. */
  defaultPreference: ArchiveDefault;
  /** Messages older than this many days are deleted; undefined keeps them forever. */
  retentionDays: number | undefined;
  /** Results sent for a query without RSM <max/>. */
  defaultPageSize: number;
  /** Results sent at most per query, whatever <max/> asks (also bounds the 'ids' field). */
  maxPageSize: number;
  /** How often the server deletes expired messages. */
  expiryIntervalSeconds: number;
}

// Prosody's mod_mam sends 20 by default and at most max_archive_query_results (50); ejabberd's
// mod_mam 50 and at most 250. A page is sent as one stanza per message, so the bound is on work
// per request.
const DEFAULTS: MamOptions = {
  defaultPreference: 'always',
  retentionDays: undefined,
  defaultPageSize: 50,
  maxPageSize: 250,
  expiryIntervalSeconds: 3600,
};

const fail = (key: string, expected: string, value: unknown): never => {
  throw new Error(`modules.mam.options.${key}: expected ${expected}, found ${JSON.stringify(value)}`);
};

function positiveInteger(options: Record<string, unknown>, key: keyof MamOptions & string, fallback: number): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return fail(key, 'a positive integer', value);
  return value;
}

export function readMamOptions(options: Record<string, unknown>): MamOptions {
  const preference = options.defaultPreference ?? DEFAULTS.defaultPreference;
  if (preference !== 'always' && preference !== 'never' && preference !== 'roster') {
    fail('defaultPreference', "'always', 'never' or 'roster'", preference);
  }
  const retention = options.retentionDays ?? 'forever';
  if (retention !== 'forever' && (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1)) {
    fail('retentionDays', "a positive number of days or 'forever'", retention);
  }
  const parsed: MamOptions = {
    defaultPreference: preference as ArchiveDefault,
    retentionDays: retention === 'forever' ? undefined : (retention as number),
    defaultPageSize: positiveInteger(options, 'defaultPageSize', DEFAULTS.defaultPageSize),
    maxPageSize: positiveInteger(options, 'maxPageSize', DEFAULTS.maxPageSize),
    expiryIntervalSeconds: positiveInteger(options, 'expiryIntervalSeconds', DEFAULTS.expiryIntervalSeconds),
  };
  if (parsed.defaultPageSize > parsed.maxPageSize) fail('defaultPageSize', `at most maxPageSize (${parsed.maxPageSize})`, parsed.defaultPageSize);
  return parsed;
}
