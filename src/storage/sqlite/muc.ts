// XEP-0045 rooms in SQLite (table muc_rooms): one row per room, its state as JSON. An update's
// read, decision and write run in one IMMEDIATE transaction, so another connection (another
// node) cannot slip a write in between.
import type { MucRepository, MucRoom, MucRoomChange } from '../types.js';
import type { SqliteDatabase } from './database.js';

const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1);

export function createSqliteMucRepository(db: SqliteDatabase): MucRepository {
  const select = db.prepare<[string], { state: string }>('SELECT state FROM muc_rooms WHERE jid = ?');
  const upsert = db.prepare<[string, string, string]>(
    'INSERT INTO muc_rooms (jid, domain, state) VALUES (?, ?, ?) ON CONFLICT (jid) DO UPDATE SET state = excluded.state',
  );
  const remove = db.prepare<[string]>('DELETE FROM muc_rooms WHERE jid = ?');
  const byDomain = db.prepare<[string], { state: string }>('SELECT state FROM muc_rooms WHERE domain = ? ORDER BY jid');
  const read = (jid: string): MucRoom | undefined => {
    const row = select.get(jid);
    return row && (JSON.parse(row.state) as MucRoom);
  };
  const updateTx = db.transaction(<T>(jid: string, decide: (room: MucRoom | undefined) => MucRoomChange<T>): T => {
    const change = decide(read(jid));
    if (change.write === 'delete') remove.run(jid);
    else if (change.write) upsert.run(jid, domainOf(jid), JSON.stringify(change.write));
    return change.result;
  });
  return {
    async get(jid) {
      return read(jid);
    },
    async update(jid, decide) {
      return updateTx.immediate(jid, decide) as ReturnType<typeof decide>['result'];
    },
    async list(domain) {
      return byDomain.all(domain).map((row) => JSON.parse(row.state) as MucRoom);
    },
  };
}
