// Message archives in SQLite (table from the archive migration). Pages are read by keyset on seq
// through (account, seq) or (account, with_bare, seq), so no query scans past its page.
import type { ArchiveQuery, ArchiveRepository, ArchivedMessage } from '../archive-types.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

interface Row {
  seq: number;
  id: string;
  with_full: string;
  direction: 'in' | 'out';
  message_id: string | null;
  stanza: string;
  at: number;
}

const COLUMNS = 'seq, id, with_full, direction, message_id, stanza, at';

const toMessage = (row: Row): ArchivedMessage => {
  const message: ArchivedMessage = { id: row.id, with: row.with_full, direction: row.direction, stanza: row.stanza, timestamp: row.at };
  if (row.message_id !== null) message.messageId = row.message_id;
  return message;
};

const bareOf = (jid: string): string => {
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
};

interface PendingAppend {
  account: string;
  message: ArchivedMessage;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

export function createSqliteArchiveRepository(db: SqliteDatabase): ArchiveRepository {
  // A timestamp is never earlier than the account's newest one (a clock stepped back), so within
  // an archive time order is archive order and start/end become seq bounds through (account, at).
  const insert = db.prepare<[string, string, string, string, string, string | null, string, number, string]>(
    `INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, stanza, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, max(?, coalesce((SELECT max(at) FROM archive WHERE account = ?), 0)))
     ON CONFLICT (account, id) DO NOTHING`,
  );
  const firstFrom = db.prepare<[string, number], { seq: number }>(
    'SELECT seq FROM archive WHERE account = ? AND at >= ? ORDER BY at, seq LIMIT 1',
  );
  const lastUntil = db.prepare<[string, number], { seq: number }>(
    'SELECT seq FROM archive WHERE account = ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT 1',
  );
  const seqOf = db.prepare<[string, string], { seq: number }>('SELECT seq FROM archive WHERE account = ? AND id = ?');
  const first = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM archive WHERE account = ? ORDER BY seq LIMIT 1`);
  const last = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM archive WHERE account = ? ORDER BY seq DESC LIMIT 1`);
  const countAll = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM archive WHERE account = ?');
  const replace = db.prepare<[string, string, string]>('UPDATE archive SET stanza = ? WHERE account = ? AND id = ?');
  // Newest first along the conversation index; a retraction names a recent message in practice.
  const byMessageId = db.prepare<[string, string, string, string], Row>(
    `SELECT ${COLUMNS} FROM archive WHERE account = ? AND with_bare = ? AND direction = ? AND message_id = ? ORDER BY seq DESC LIMIT 1`,
  );
  const expireSome = db.prepare<[number, number]>(
    'DELETE FROM archive WHERE seq IN (SELECT seq FROM archive WHERE at < ? ORDER BY at LIMIT ?)',
  );
  const deleteAll = db.prepare<[string]>('DELETE FROM archive WHERE account = ?');

  // Group commit: appends made in the same turn of the event loop share one transaction, so one
  // fsync (synchronous = FULL) covers them all instead of one each; each resolves after it.
  let pending: PendingAppend[] = [];
  const appendAll = db.transaction((batch: PendingAppend[]): boolean[] =>
    batch.map(({ account, message: m }) =>
      insert.run(account, m.id, bareOf(m.with), m.with, m.direction, m.messageId ?? null, m.stanza, m.timestamp, account).changes === 1,
    ),
  );
  const flush = (): void => {
    const batch = pending;
    pending = [];
    try {
      const stored = appendAll.immediate(batch);
      batch.forEach((entry, index) => entry.resolve(stored[index] ?? false));
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
  };

  // Statements differ by which filters are present; each shape is prepared once.
  type QueryStatement = Statement<Array<string | number>, Row>;
  const queries = new Map<string, QueryStatement>();
  const statementFor = (sql: string): QueryStatement => {
    let statement = queries.get(sql);
    if (!statement) {
      statement = db.prepare<Array<string | number>, Row>(sql);
      queries.set(sql, statement);
    }
    return statement;
  };

  /** The seq of every id, or undefined when one is not in the archive. */
  const seqsOf = (account: string, ids: readonly string[]): number[] | undefined => {
    const seqs: number[] = [];
    for (const id of ids) {
      const row = seqOf.get(account, id);
      if (!row) return undefined;
      seqs.push(row.seq);
    }
    return seqs;
  };

  const runQuery = (account: string, query: ArchiveQuery): { rows: Row[]; complete: boolean } | undefined => {
    const after = seqsOf(account, query.after ?? []);
    const before = seqsOf(account, query.before ?? []);
    const ids = query.ids ? seqsOf(account, query.ids) : undefined;
    if (!after || !before || (query.ids && !ids)) return undefined;
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
    // Time bounds as seq bounds: one index probe each, then the page is a keyset read.
    if (query.start !== undefined) {
      const from = firstFrom.get(account, query.start);
      if (!from) return { rows: [], complete: true };
      after.push(from.seq - 1);
    }
    if (query.end !== undefined) {
      const until = lastUntil.get(account, query.end);
      if (!until) return { rows: [], complete: true };
      before.push(until.seq + 1);
    }
    if (after.length > 0) {
      where.push('seq > ?');
      params.push(Math.max(...after));
    }
    if (before.length > 0) {
      where.push('seq < ?');
      params.push(Math.min(...before));
    }
    if (ids) {
      where.push(`seq IN (${ids.map(() => '?').join(', ')})`);
      params.push(...ids);
    }
    // One row past the page tells whether the page is the last one in its direction.
    params.push(query.max + 1);
    const sql = `SELECT ${COLUMNS} FROM archive WHERE ${where.join(' AND ')} ORDER BY seq ${query.fromEnd ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = statementFor(sql).all(...params);
    const complete = rows.length <= query.max;
    const page = rows.slice(0, query.max);
    return { rows: query.fromEnd ? page.reverse() : page, complete };
  };

  return {
    append(account, message) {
      return new Promise((resolve, reject) => {
        pending.push({ account, message, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    async query(account, query) {
      const found = runQuery(account, query);
      return found && { messages: found.rows.map(toMessage), complete: found.complete };
    },
    async findByMessageId(account, withBare, direction, messageId) {
      const row = byMessageId.get(account, withBare, direction, messageId);
      return row && toMessage(row);
    },
    async replaceStanza(account, id, stanza) {
      return replace.run(stanza, account, id).changes === 1;
    },
    async bounds(account) {
      const head = first.get(account);
      const tail = last.get(account);
      return head && tail
        ? { first: { id: head.id, timestamp: head.at }, last: { id: tail.id, timestamp: tail.at } }
        : {};
    },
    async count(account) {
      return countAll.get(account)?.n ?? 0;
    },
    async expire(before, limit) {
      return expireSome.run(before, limit).changes;
    },
    async deleteAccount(account) {
      return deleteAll.run(account).changes;
    },
  };
}
