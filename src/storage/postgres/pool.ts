// The connection pool every PostgreSQL repository shares, and the two ways they use it: a single
// parameterised statement, or a transaction that may first take a per-key lock.
import pg from 'pg';
import { maskedUrl } from '../../util/masked-url.js';

/** One parameterised statement: on any pooled connection, or on a transaction's own. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * What the repositories hold: `query` runs one statement on any pooled connection; `transaction`
 * runs `work` on one connection between BEGIN and COMMIT (ROLLBACK when it throws).
 */
export interface Database extends Queryable {
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

/** Pooled connections per process: enough for the repositories' short statements to overlap. */
const POOL_SIZE = 10;
const CONNECT_TIMEOUT_MS = 10_000;

// bigint (count, epoch milliseconds, seq) and numeric (sum) as numbers: every value Herald keeps
// there is far below 2^53, and the interfaces are typed with numbers.
const INT8 = 20;
const NUMERIC = 1700;
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * Lock spaces for pg_advisory_xact_lock(space, hashtext(key)): one per kind of key, so an account's
 * roster lock never waits on its offline queue. A hash collision only makes two keys wait for each
 * other; the lock is released at COMMIT or ROLLBACK.
 */
export const LOCK = {
  migrations: 1,
  roster: 2,
  offline: 3,
  pubsubOwner: 4,
  heldSender: 5,
  heldPair: 6,
  privateXml: 7,
  archive: 8,
  fastTokens: 9,
  push: 10,
  uploads: 11,
  blocklist: 12,
  abuseReporter: 13,
  mucRoom: 14,
} as const;

/** Serialises the transactions holding the same (space, key) until this one ends. */
export async function lockKey(tx: Queryable, space: number, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);
}

export function createPool(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: typeParsers });
  // An idle connection the server drops (restart, failover) is replaced on next use; without a
  // listener the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  return {
    query: <R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]) => pool.query<R>(text, values as unknown[] | undefined),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: <R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]) => client.query<R>(text, values as unknown[] | undefined),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  };
}

/** The error Herald stops with when the URL cannot be used: one line, password masked, the cause. */
export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
  constructor(url: string, cause: unknown) {
    super(`PostgreSQL at ${maskedUrl(url)} cannot be used: ${describeCause(cause)}`, { cause });
  }
}

// SQLSTATE codes an operator meets when pointing Herald at the wrong place.
const SQLSTATE_HINTS: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the server refused this user (check pg_hba.conf and the user name)',
  '3D000': 'the database does not exist (create it with createdb)',
  '42501': 'the user lacks a privilege Herald needs (it creates tables in the database)',
  '57P03': 'the server is starting up or shutting down',
};

function describeCause(cause: unknown): string {
  const error = cause as { code?: string; message?: string; errors?: Array<{ message?: string }> } | undefined;
  // A host name with several addresses (localhost: ::1 and 127.0.0.1) fails as an AggregateError
  // whose own message is empty; its parts say what happened.
  const parts = error?.errors?.map((e) => e.message ?? '').filter((m) => m !== '') ?? [];
  const text = error?.message || parts.join('; ') || String(cause);
  const message = text.replace(/\s+/g, ' ').trim();
  const code = error?.code;
  if (code !== undefined && code in SQLSTATE_HINTS) return `${SQLSTATE_HINTS[code]} (${message})`;
  if (code === 'ECONNREFUSED') return `nothing accepts connections there (${message})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (${message})`;
  return message === '' ? 'unknown error' : message;
}
