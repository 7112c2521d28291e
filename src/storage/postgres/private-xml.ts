// XEP-0049 private XML storage in PostgreSQL: the byte sum and the writes share one transaction
// under the account's advisory lock, so two writers cannot both pass the limit.
import type { PrivateXmlEntry, PrivateXmlRepository } from '../types.js';
import { LOCK, lockKey, type Database } from './pool.js';

const keyOf = (entry: { namespace: string; name: string }): string => `${entry.namespace} ${entry.name}`;

export function createPostgresPrivateXmlRepository(db: Database): PrivateXmlRepository {
  const accountBytes = async (account: string): Promise<number> => {
    const { rows } = await db.query<{ total: number }>('SELECT coalesce(sum(bytes), 0) AS total FROM private_xml WHERE account = $1', [account]);
    return rows[0]?.total ?? 0;
  };
  return {
    async get(account, name, namespace) {
      const { rows } = await db.query<{ xml: string }>('SELECT xml FROM private_xml WHERE account = $1 AND namespace = $2 AND name = $3', [
        account,
        namespace,
        name,
      ]);
      return rows[0]?.xml;
    },
    put: (account, entries, maxAccountBytes) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.privateXml, account);
        // The last of several same-keyed entries is what stays.
        const last = new Map(entries.map((entry) => [keyOf(entry), { ...entry, bytes: Buffer.byteLength(entry.xml, 'utf8') }]));
        const { rows } = await tx.query<{ namespace: string; name: string; bytes: number }>(
          'SELECT namespace, name, bytes FROM private_xml WHERE account = $1',
          [account],
        );
        let total = 0;
        for (const row of rows) if (!last.has(keyOf(row))) total += row.bytes;
        for (const entry of last.values()) total += entry.bytes;
        if (total > maxAccountBytes) return 'full';
        for (const entry of last.values()) {
          await tx.query(
            `INSERT INTO private_xml (account, namespace, name, xml, bytes) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account, namespace, name) DO UPDATE SET xml = excluded.xml, bytes = excluded.bytes`,
            [account, entry.namespace, entry.name, entry.xml, entry.bytes],
          );
        }
        return 'stored';
      }),
    accountBytes,
    async list(account) {
      const { rows } = await db.query<PrivateXmlEntry>(
        'SELECT name, namespace, xml FROM private_xml WHERE account = $1 ORDER BY namespace COLLATE "C", name COLLATE "C"',
        [account],
      );
      return rows;
    },
    async deleteAccount(account) {
      await db.query('DELETE FROM private_xml WHERE account = $1', [account]);
    },
  };
}
