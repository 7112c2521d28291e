// XEP-0045 rooms in PostgreSQL (table muc_rooms): one row per room, its state as JSON. An update
// runs in one transaction under the room's advisory lock (the row may not exist yet, so a row
// lock alone could not stop two nodes creating the same room).
import type { MucRepository, MucRoom } from '../types.js';
import { LOCK, lockKey, type Database } from './pool.js';

const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1);

export function createPostgresMucRepository(db: Database): MucRepository {
  return {
    async get(jid) {
      const { rows } = await db.query<{ state: string }>('SELECT state FROM muc_rooms WHERE jid = $1', [jid]);
      return rows[0] && (JSON.parse(rows[0].state) as MucRoom);
    },
    update: (jid, decide) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.mucRoom, jid);
        const { rows } = await tx.query<{ state: string }>('SELECT state FROM muc_rooms WHERE jid = $1', [jid]);
        const change = decide(rows[0] && (JSON.parse(rows[0].state) as MucRoom));
        if (change.write === 'delete') await tx.query('DELETE FROM muc_rooms WHERE jid = $1', [jid]);
        else if (change.write) {
          await tx.query(
            'INSERT INTO muc_rooms (jid, domain, state) VALUES ($1, $2, $3) ON CONFLICT (jid) DO UPDATE SET state = excluded.state',
            [jid, domainOf(jid), JSON.stringify(change.write)],
          );
        }
        return change.result;
      }),
    async list(domain) {
      const { rows } = await db.query<{ state: string }>('SELECT state FROM muc_rooms WHERE domain = $1 ORDER BY jid', [domain]);
      return rows.map((row) => JSON.parse(row.state) as MucRoom);
    },
  };
}
