// Message archives in SQLite, in their own file (archive-database.ts). Within an account, `at`
// (the timestamp in microseconds) strictly increases in the order messages were appended, so it
// is both the time and the archive order: pages, time bounds and id bounds are keyset reads on
// (account, at) or, filtered by contact, (account, with_bare, at), never an OFFSET scan. Two
// indexes besides (account, id) keep each append cheap; every further index cost ~5-10 µs of
// CPU per message in commits of 100 (measured on 2 shared cores). Accounts are stored by
// number (archive_accounts); numbers are never reused, so this connection keeps the ones it
// has seen.
import type { ArchiveQuery, ArchiveRepository, ArchivedMessage } from '../archive-types.js';
import { ARCHIVE_COLUMNS as COLUMNS, US_PER_MS, archivedFromRow as toMessage, bareOf, type ArchiveRow } from '../sql-rows.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import { gatherAppends } from '../gathered-appends.js';


interface PendingAppend {
  account: string;
  message: ArchivedMessage;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

/**
 * How long appends wait to share a commit. Archiving is off the message path and every read
 * commits what is gathered first, so this delays nothing a client sees; a crash can lose what
 * was gathered (the messages themselves were delivered or stored offline by then). A commit
 * rewrites every B-tree page it touched into the WAL, so a row costs about half as much CPU in
 * commits of 1,000 as in commits of 100.
 */
const GATHER_MS = 50;
const MAX_BATCH = 2000;

/** `flush` commits gathered appends now (before the connection closes). */
export function createSqliteArchiveRepository(db: SqliteDatabase): ArchiveRepository & { flush(): void } {
  const numberOf = db.prepare<[string], { id: number }>('SELECT id FROM archive_accounts WHERE jid = ?');
  const numberNew = db.prepare<[string]>('INSERT INTO archive_accounts (jid) VALUES (?) ON CONFLICT (jid) DO NOTHING');
  const numbers = new Map<string, number>();
  /** The account's number; with `create`, one is given to an account that has none. */
  const accountNumber = (jid: string, create: boolean): number => {
    let number = numbers.get(jid);
    if (number !== undefined) return number;
    if (create) numberNew.run(jid);
    number = numberOf.get(jid)?.id;
    if (number === undefined) return -1; // no archive yet: matches no row
    numbers.set(jid, number);
    return number;
  };

  // One past the account's newest `at` when the clock has not moved on (or stepped back).
  const insert = db.prepare<[number, string, string, string, string, string | null, string, number, number]>(
    `INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, stanza, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, max(?, coalesce((SELECT max(at) FROM archive WHERE account = ?) + 1, 0)))
     ON CONFLICT (account, id) DO NOTHING`,
  );
  const atOf = db.prepare<[number, string], { at: number }>('SELECT at FROM archive WHERE account = ? AND id = ?');
  const first = db.prepare<[number], ArchiveRow>(`SELECT ${COLUMNS} FROM archive WHERE account = ? ORDER BY at LIMIT 1`);
  const last = db.prepare<[number], ArchiveRow>(`SELECT ${COLUMNS} FROM archive WHERE account = ? ORDER BY at DESC LIMIT 1`);
  const countAll = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM archive WHERE account = ?');
  const replace = db.prepare<[string, number, string]>('UPDATE archive SET stanza = ? WHERE account = ? AND id = ?');
  // Newest first along the conversation index; a retraction names a recent message in practice.
  const byMessageId = db.prepare<[number, string, string, string], ArchiveRow>(
    `SELECT ${COLUMNS} FROM archive WHERE account = ? AND with_bare = ? AND direction = ? AND message_id = ? ORDER BY at DESC LIMIT 1`,
  );
  const expireSome = db.prepare<[number, number]>('DELETE FROM archive WHERE account = ? AND at < ?');
  const deleteAll = db.prepare<[number]>('DELETE FROM archive WHERE account = ?');

  // Group commit: appends share one transaction, so one commit (and its fsync, synchronous =
  // FULL) covers them all; each resolves after it.
  const gathered = gatherAppends<PendingAppend>(GATHER_MS, MAX_BATCH, () => flush());
  const appendAll = db.transaction((batch: PendingAppend[], numbered: number[]): boolean[] =>
    batch.map(({ message: m }, index) => {
      const at = m.timestamp * US_PER_MS;
      const number = numbered[index] ?? -1;
      return insert.run(number, m.id, bareOf(m.with), m.with, m.direction, m.messageId ?? null, m.stanza, at, number).changes === 1;
    }),
  );
  const flush = (): void => {
    const batch = gathered.take();
    if (batch.length === 0) return;
    try {
      // Numbered before the transaction (a new account's number commits on its own), so a
      // rolled-back batch never leaves a number in `numbers` that the file does not hold.
      const numbered = batch.map((entry) => accountNumber(entry.account, true));
      const stored = appendAll.immediate(batch, numbered);
      batch.forEach((entry, index) => entry.resolve(stored[index] ?? false));
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
  };

  // Statements differ by which filters are present; each shape is prepared once.
  type QueryStatement = Statement<Array<string | number>, ArchiveRow>;
  const queries = new Map<string, QueryStatement>();
  const statementFor = (sql: string): QueryStatement => {
    let statement = queries.get(sql);
    if (!statement) {
      statement = db.prepare<Array<string | number>, ArchiveRow>(sql);
      queries.set(sql, statement);
    }
    return statement;
  };

  /** The `at` of every id, or undefined when one is not in the archive. */
  const positionsOf = (account: number, ids: readonly string[]): number[] | undefined => {
    const found: number[] = [];
    for (const id of ids) {
      const row = atOf.get(account, id);
      if (!row) return undefined;
      found.push(row.at);
    }
    return found;
  };

  const runQuery = (account: number, query: ArchiveQuery): { rows: ArchiveRow[]; complete: boolean } | undefined => {
    const after = positionsOf(account, query.after ?? []);
    const before = positionsOf(account, query.before ?? []);
    const ids = query.ids ? positionsOf(account, query.ids) : undefined;
    if (!after || !before || (query.ids && !ids)) return undefined;
    if (ids?.length === 0) return { rows: [], complete: true }; // `IN ()` is not portable SQL
    const where = ['account = ?'];
    const params: Array<string | number> = [account];
    if (query.with !== undefined) {
      where.push('with_bare = ?');
      params.push(bareOf(query.with));
      if (query.with.includes('/')) {
        where.push('with_full = ?');
        params.push(query.with);
      }
    }
    // Inclusive millisecond bounds as exclusive microsecond ones.
    if (query.start !== undefined) after.push(query.start * US_PER_MS - 1);
    if (query.end !== undefined) before.push((query.end + 1) * US_PER_MS);
    if (after.length > 0) {
      where.push('at > ?');
      params.push(Math.max(...after));
    }
    if (before.length > 0) {
      where.push('at < ?');
      params.push(Math.min(...before));
    }
    if (ids) {
      where.push(`at IN (${ids.map(() => '?').join(', ')})`);
      params.push(...ids);
    }
    // One row past the page tells whether the page is the last one in its direction.
    params.push(query.max + 1);
    const sql = `SELECT ${COLUMNS} FROM archive WHERE ${where.join(' AND ')} ORDER BY at ${query.fromEnd ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = statementFor(sql).all(...params);
    const complete = rows.length <= query.max;
    const page = rows.slice(0, query.max);
    return { rows: query.fromEnd ? page.reverse() : page, complete };
  };

  return {
    flush,
    append(account, message, options) {
      return new Promise((resolve, reject) => gathered.add({ account, message, resolve, reject }, options?.promptly));
    },
    async query(account, query) {
      flush(); // read what was appended before
      const found = runQuery(accountNumber(account, false), query);
      return found && { messages: found.rows.map(toMessage), complete: found.complete };
    },
    async findByMessageId(account, withBare, direction, messageId) {
      flush();
      const row = byMessageId.get(accountNumber(account, false), withBare, direction, messageId);
      return row && toMessage(row);
    },
    async replaceStanza(account, id, stanza) {
      flush();
      return replace.run(stanza, accountNumber(account, false), id).changes === 1;
    },
    async bounds(account) {
      flush();
      const number = accountNumber(account, false);
      const head = first.get(number);
      const tail = last.get(number);
      return head && tail
        ? { first: { id: head.id, timestamp: toMessage(head).timestamp }, last: { id: tail.id, timestamp: toMessage(tail).timestamp } }
        : {};
    },
    async count(account) {
      flush();
      return countAll.get(accountNumber(account, false))?.n ?? 0;
    },
    async expire(account, before) {
      flush();
      return expireSome.run(accountNumber(account, false), before * US_PER_MS).changes;
    },
    async deleteAccount(account) {
      flush();
      return deleteAll.run(accountNumber(account, false)).changes;
    },
  };
}
