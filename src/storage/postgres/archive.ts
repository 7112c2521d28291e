// Message archives (XEP-0313) in PostgreSQL, with the semantics of sqlite/archive.ts: within an
// account, `at` (microseconds) strictly increases in append order, so it is both time and archive
// order, and every page is a keyset read on (account, at) or (account, with_bare, at). Appends
// take the account's advisory lock, so "one past the newest" holds with several nodes appending.
import type { ArchiveQuery, ArchiveRepository, ArchivedMessage } from '../archive-types.js';
import { ARCHIVE_COLUMNS as COLUMNS, US_PER_MS, archivedFromRow as toMessage, bareOf, type ArchiveRow } from '../sql-rows.js';
import { LOCK, type Database } from './pool.js';
import { gatherAppends } from '../gathered-appends.js';


/** How long appends gather into one batch; a batch is sent at once when it reaches MAX_BATCH (8 parameters a row at most: 16,001, under PostgreSQL's 65,535). */
const GATHER_MS = 20;
const MAX_BATCH = 2000;

interface PendingAppend {
  account: string;
  message: ArchivedMessage;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

/** A placeholder maker for a statement's parameters: `param(value)` adds it and returns `$n`. */
const placeholders = (values: unknown[]) => (value: unknown): string => `$${values.push(value)}`;

/**
 * Inserts a batch in the order it was made, in one statement whatever its size: a statement per row
 * cost a round trip and a wake-up of this node and of PostgreSQL per archived copy, two per
 * message. herald_archive_append (migration 16) takes the accounts' locks, in sorted order (no
 * deadlock between nodes), then inserts with each row's `at` computed; the statement's implicit
 * transaction holds the locks until it ends. An id repeated within the batch is sent once; its
 * later copies are not stored, as when appended one after the other.
 */
async function appendBatch(db: Database, batch: readonly PendingAppend[]): Promise<boolean[]> {
  const firstOf = new Map<string, number>();
  const rows: PendingAppend[] = [];
  batch.forEach((entry, index) => {
    const key = `${entry.account}\u0000${entry.message.id}`;
    if (firstOf.has(key)) return;
    firstOf.set(key, index);
    rows.push(entry);
  });
  // The function takes a column per array, each built by ARRAY[...] from text parameters: an array
  // parameter would be sent as an escaped literal (a copy of every stanza, and the sending node's
  // largest allocation per message). An account is sent once, in the lock list, and named again.
  const values: unknown[] = [LOCK.archive];
  const param = placeholders(values);
  const accountParam = new Map([...new Set(rows.map((entry) => entry.account))].sort().map((account) => [account, param(account)]));
  const columns = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint'].map((type) => ({ type, cells: [] as string[] }));
  for (const { account, message: m } of rows) {
    const cells = [accountParam.get(account)!, param(m.id), param(bareOf(m.with)), param(m.with), param(m.direction), param(m.messageId ?? null), param(m.stanza), param(m.timestamp * US_PER_MS)];
    cells.forEach((cell, column) => columns[column]!.cells.push(cell));
  }
  const arrays = [{ type: 'text', cells: [...accountParam.values()] }, ...columns].map(({ type, cells }) => `ARRAY[${cells.join(', ')}]::${type}[]`);
  const { rows: stored } = await db.query<{ stored_account: string; stored_id: string }>(
    `SELECT stored_account, stored_id FROM herald_archive_append($1, ${arrays.join(', ')})`,
    values,
  );
  const inserted = new Set(stored.map((row) => `${row.stored_account}\u0000${row.stored_id}`));
  return batch.map((entry, index) => {
    const key = `${entry.account}\u0000${entry.message.id}`;
    return firstOf.get(key) === index && inserted.has(key);
  });
}

/** `settled` resolves once every append made so far is committed (before the pool closes). */
export function createPostgresArchiveRepository(db: Database): ArchiveRepository & { settled(): Promise<void> } {
  // Group commit, one batch at a time, in the order made (a pool would otherwise let batches race).
  // Appends gather for GATHER_MS before their batch is sent, as SQLite's do: the archive is beside
  // the message path, and a commit per few messages cost PostgreSQL (on the machine that also runs
  // Redis, in the bench) a transaction, its WAL flush and a wake-up each time. `promptly`
  // appends (someone waits) go at the end of this turn; a read sends what waits first.
  let committing: Promise<void> = Promise.resolve();
  const gathered = gatherAppends<PendingAppend>(GATHER_MS, MAX_BATCH, () => void flush());
  const commit = async (batch: PendingAppend[]): Promise<void> => {
    try {
      const stored = await appendBatch(db, batch);
      batch.forEach((entry, index) => entry.resolve(stored[index] ?? false));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };
  /** Sends what waits as the next batch; resolves once every append made so far is committed. */
  const flush = (): Promise<void> => {
    const batch = gathered.take();
    if (batch.length > 0) committing = committing.then(() => commit(batch));
    return committing;
  };
  /** Resolves once every append made so far is committed (reads see their own appends). */
  const settled = (): Promise<void> => flush();

  /** The `at` of every id, or undefined when one is not in the archive. */
  const positionsOf = async (account: string, ids: readonly string[]): Promise<number[] | undefined> => {
    if (ids.length === 0) return [];
    const { rows } = await db.query<{ id: string; at: number }>('SELECT id, at FROM archive WHERE account = $1 AND id = ANY($2::text[])', [account, [...ids]]);
    const at = new Map(rows.map((row) => [row.id, row.at]));
    const found = ids.map((id) => at.get(id));
    return found.every((value): value is number => value !== undefined) ? found : undefined;
  };
  const one = async (sql: string, values: readonly unknown[]): Promise<ArchiveRow | undefined> => (await db.query<ArchiveRow>(sql, values)).rows[0];

  return {
    settled,
    append(account, message, options) {
      return new Promise((resolve, reject) => gathered.add({ account, message, resolve, reject }, options?.promptly));
    },
    async query(account, query: ArchiveQuery) {
      await settled();
      const after = await positionsOf(account, query.after ?? []);
      const before = await positionsOf(account, query.before ?? []);
      const ids = query.ids ? await positionsOf(account, query.ids) : undefined;
      if (!after || !before || (query.ids && !ids)) return undefined;
      if (ids?.length === 0) return { messages: [], complete: true };
      const values: unknown[] = [account];
      const where = ['account = $1'];
      const param = placeholders(values);
      if (query.with !== undefined) {
        where.push(`with_bare = ${param(bareOf(query.with))}`);
        if (query.with.includes('/')) where.push(`with_full = ${param(query.with)}`);
      }
      // Inclusive millisecond bounds as exclusive microsecond ones.
      if (query.start !== undefined) after.push(query.start * US_PER_MS - 1);
      if (query.end !== undefined) before.push((query.end + 1) * US_PER_MS);
      if (after.length > 0) where.push(`at > ${param(Math.max(...after))}`);
      if (before.length > 0) where.push(`at < ${param(Math.min(...before))}`);
      if (ids) where.push(`at = ANY(${param(ids)}::bigint[])`);
      // One row past the page tells whether the page is the last one in its direction.
      const limit = param(query.max + 1);
      const { rows } = await db.query<ArchiveRow>(
        `SELECT ${COLUMNS} FROM archive WHERE ${where.join(' AND ')} ORDER BY at ${query.fromEnd ? 'DESC' : 'ASC'} LIMIT ${limit}`,
        values,
      );
      const page = rows.slice(0, query.max);
      return { messages: (query.fromEnd ? page.reverse() : page).map(toMessage), complete: rows.length <= query.max };
    },
    async findByMessageId(account, withBare, direction, messageId) {
      await settled();
      const row = await one(
        `SELECT ${COLUMNS} FROM archive WHERE account = $1 AND with_bare = $2 AND direction = $3 AND message_id = $4 ORDER BY at DESC LIMIT 1`,
        [account, withBare, direction, messageId],
      );
      return row && toMessage(row);
    },
    async replaceStanza(account, id, stanza) {
      await settled();
      const { rowCount } = await db.query('UPDATE archive SET stanza = $1 WHERE account = $2 AND id = $3', [stanza, account, id]);
      return rowCount === 1;
    },
    async bounds(account) {
      await settled();
      const head = await one(`SELECT ${COLUMNS} FROM archive WHERE account = $1 ORDER BY at LIMIT 1`, [account]);
      const tail = await one(`SELECT ${COLUMNS} FROM archive WHERE account = $1 ORDER BY at DESC LIMIT 1`, [account]);
      return head && tail
        ? { first: { id: head.id, timestamp: toMessage(head).timestamp }, last: { id: tail.id, timestamp: toMessage(tail).timestamp } }
        : {};
    },
    async count(account) {
      await settled();
      const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM archive WHERE account = $1', [account]);
      return rows[0]?.n ?? 0;
    },
    async expire(account, before) {
      await settled();
      const { rowCount } = await db.query('DELETE FROM archive WHERE account = $1 AND at < $2', [account, before * US_PER_MS]);
      return rowCount ?? 0;
    },
    async deleteAccount(account) {
      await settled();
      const { rowCount } = await db.query('DELETE FROM archive WHERE account = $1', [account]);
      return rowCount ?? 0;
    },
  };
}
