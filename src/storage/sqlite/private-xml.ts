// XEP-0049 private XML storage in SQLite (table private_xml, the last migration step).
import type { PrivateXmlEntry, PrivateXmlRepository } from '../types.js';
import type { SqliteDatabase } from './database.js';

export function createSqlitePrivateXmlRepository(db: SqliteDatabase): PrivateXmlRepository {
  const select = db.prepare<[string, string, string], { xml: string }>('SELECT xml FROM private_xml WHERE account = ? AND namespace = ? AND name = ?');
  const sumBytes = db.prepare<[string], { total: number | null }>('SELECT sum(bytes) AS total FROM private_xml WHERE account = ?');
  const selectBytes = db.prepare<[string, string, string], { bytes: number }>('SELECT bytes FROM private_xml WHERE account = ? AND namespace = ? AND name = ?');
  const upsert = db.prepare<[string, string, string, string, number]>(
    `INSERT INTO private_xml (account, namespace, name, xml, bytes) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account, namespace, name) DO UPDATE SET xml = excluded.xml, bytes = excluded.bytes`,
  );
  const deleteAll = db.prepare<[string]>('DELETE FROM private_xml WHERE account = ?');
  const selectAll = db.prepare<[string], PrivateXmlEntry>('SELECT name, namespace, xml FROM private_xml WHERE account = ? ORDER BY namespace, name');

  // The byte sum and the writes share one IMMEDIATE transaction, so two writers cannot both
  // pass the check; a set of several elements is stored whole or not at all.
  const putTx = db.transaction((account: string, entries: readonly PrivateXmlEntry[], maxAccountBytes: number): 'stored' | 'full' => {
    let total = sumBytes.get(account)?.total ?? 0;
    const sized = entries.map((entry) => ({ ...entry, bytes: Buffer.byteLength(entry.xml, 'utf8') }));
    const replaced = new Set<string>();
    for (const entry of sized) {
      const key = `${entry.namespace} ${entry.name}`;
      if (!replaced.has(key)) total -= selectBytes.get(account, entry.namespace, entry.name)?.bytes ?? 0;
      replaced.add(key);
    }
    // The last of several same-keyed entries is what stays.
    const last = new Map(sized.map((entry) => [`${entry.namespace} ${entry.name}`, entry]));
    for (const entry of last.values()) total += entry.bytes;
    if (total > maxAccountBytes) return 'full';
    for (const entry of last.values()) upsert.run(account, entry.namespace, entry.name, entry.xml, entry.bytes);
    return 'stored';
  });

  return {
    async get(account, name, namespace) {
      return select.get(account, namespace, name)?.xml;
    },
    async put(account, entries, maxAccountBytes) {
      return putTx.immediate(account, entries, maxAccountBytes);
    },
    async accountBytes(account) {
      return sumBytes.get(account)?.total ?? 0;
    },
    async list(account) {
      return selectAll.all(account);
    },
    async deleteAccount(account) {
      deleteAll.run(account);
    },
  };
}
