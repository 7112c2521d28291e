// Offline message queues in PostgreSQL. The duplicate check, the quota count and the insert run
// under the account's advisory lock in one transaction, so two nodes storing for one account at
// once cannot both take its last place; COMMIT (synchronous_commit on) precedes the resolve.
import type { OfflineMessage, OfflineRepository } from '../types.js';
import { LOCK, lockKey, type Database } from './pool.js';

interface MessageRow {
  stanza_id: string;
  stanza: string;
  stored_at: number;
}

const toMessage = (row: MessageRow): OfflineMessage => ({ stanzaId: row.stanza_id, stanza: row.stanza, storedAt: row.stored_at });

export function createPostgresOfflineRepository(db: Database): OfflineRepository {
  const count = async (account: string): Promise<number> => {
    const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM offline_messages WHERE account = $1', [account]);
    return rows[0]?.n ?? 0;
  };
  return {
    store: (account, message, limit) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.offline, account);
        const { rows } = await tx.query<{ n: number; has: boolean }>(
          'SELECT count(*) AS n, bool_or(stanza_id = $2) AS has FROM offline_messages WHERE account = $1',
          [account, message.stanzaId],
        );
        if (rows[0]?.has) return 'duplicate';
        if ((rows[0]?.n ?? 0) >= limit) return 'full';
        await tx.query('INSERT INTO offline_messages (account, stanza_id, stanza, stored_at) VALUES ($1, $2, $3, $4)', [
          account,
          message.stanzaId,
          message.stanza,
          message.storedAt,
        ]);
        return 'stored';
      }),
    async list(account, limit) {
      // LIMIT NULL is "no limit" in PostgreSQL.
      const { rows } = await db.query<MessageRow>(
        'SELECT stanza_id, stanza, stored_at FROM offline_messages WHERE account = $1 ORDER BY seq LIMIT $2',
        [account, limit ?? null],
      );
      return rows.map(toMessage);
    },
    async delete(account, stanzaIds) {
      if (stanzaIds.length === 0) return 0;
      const { rowCount } = await db.query('DELETE FROM offline_messages WHERE account = $1 AND stanza_id = ANY($2::text[])', [account, [...stanzaIds]]);
      return rowCount ?? 0;
    },
    count,
    async deleteAccount(account) {
      await db.query('DELETE FROM offline_messages WHERE account = $1', [account]);
    },
    async queues(largest) {
      const totals = await db.query<{ accounts: number; messages: number }>(
        'SELECT count(DISTINCT account) AS accounts, count(*) AS messages FROM offline_messages',
      );
      const { rows } = await db.query<{ account: string; count: number }>(
        'SELECT account, count(*) AS count FROM offline_messages GROUP BY account ORDER BY count DESC, account LIMIT $1',
        [largest],
      );
      return { accounts: totals.rows[0]?.accounts ?? 0, messages: totals.rows[0]?.messages ?? 0, largest: rows };
    },
  };
}
