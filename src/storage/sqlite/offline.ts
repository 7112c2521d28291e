// Offline message queues in SQLite (table from migration step 3). Statements are prepared once
// per connection.
import type { OfflineMessage, OfflineRepository, OfflineStoreResult } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { firstRows } from './first-rows.js';

interface MessageRow {
  stanza_id: string;
  stanza: string;
  stored_at: number;
}

const toMessage = (row: MessageRow): OfflineMessage => ({ stanzaId: row.stanza_id, stanza: row.stanza, storedAt: row.stored_at });

export function createSqliteOfflineRepository(db: SqliteDatabase): OfflineRepository {
  const selectHas = db.prepare<[string, string], { found: 1 }>(
    'SELECT 1 AS found FROM offline_messages WHERE account = ? AND stanza_id = ?',
  );
  const countMessages = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM offline_messages WHERE account = ?');
  const insertMessage = db.prepare<[string, string, string, number]>(
    'INSERT INTO offline_messages (account, stanza_id, stanza, stored_at) VALUES (?, ?, ?, ?)',
  );
  // No bound LIMIT: see first-rows.ts.
  const selectMessages = db.prepare<[string], MessageRow>('SELECT stanza_id, stanza, stored_at FROM offline_messages WHERE account = ? ORDER BY seq');
  const deleteMessage = db.prepare<[string, string]>('DELETE FROM offline_messages WHERE account = ? AND stanza_id = ?');
  const deleteAll = db.prepare<[string]>('DELETE FROM offline_messages WHERE account = ?');
  const selectTotals = db.prepare<[], { accounts: number; messages: number }>('SELECT count(DISTINCT account) AS accounts, count(*) AS messages FROM offline_messages');
  const selectLargest = db.prepare<[number], { account: string; count: number }>(
    'SELECT account, count(*) AS count FROM offline_messages GROUP BY account ORDER BY count DESC, account LIMIT ?',
  );

  // The duplicate check, the quota count and the insert share one IMMEDIATE transaction: with
  // the write lock taken first, another connection cannot slip a message in between, so the
  // limit holds exactly and a stanza-id is stored once. The commit is synchronous = FULL, so the
  // message is on disk when `store` resolves.
  const storeTx = db.transaction((account: string, message: OfflineMessage, limit: number): OfflineStoreResult => {
    if (selectHas.get(account, message.stanzaId)) return 'duplicate';
    if ((countMessages.get(account)?.n ?? 0) >= limit) return 'full';
    insertMessage.run(account, message.stanzaId, message.stanza, message.storedAt);
    return 'stored';
  });
  const deleteTx = db.transaction((account: string, stanzaIds: readonly string[]): number => {
    let deleted = 0;
    for (const id of stanzaIds) deleted += deleteMessage.run(account, id).changes;
    return deleted;
  });

  return {
    async store(account, message, limit) {
      return storeTx.immediate(account, message, limit);
    },
    async list(account, limit) {
      return firstRows(selectMessages.iterate(account), limit).map(toMessage);
    },
    async delete(account, stanzaIds) {
      if (stanzaIds.length === 0) return 0;
      return deleteTx.immediate(account, stanzaIds);
    },
    async count(account) {
      return countMessages.get(account)?.n ?? 0;
    },
    async deleteAccount(account) {
      deleteAll.run(account);
    },
    async queues(largest) {
      const totals = selectTotals.get() ?? { accounts: 0, messages: 0 };
      return { accounts: totals.accounts, messages: totals.messages, largest: selectLargest.all(largest) };
    },
  };
}
