// XEP-0045 rooms in PostgreSQL: muc_rooms (one row per room, its state as JSON, and the stamp of
// its occupant list) and muc_occupants (one row per occupant). An update runs in one transaction
// under the room's advisory lock (the row may not exist yet, so a row lock alone could not stop
// two nodes creating the same room).
import type { MucOccupant, MucRepository, MucRoom } from '../types.js';
import { changesOccupants, newOccupantsStamp } from '../muc-stamp.js';
import { LOCK, lockKey, type Database, type Queryable } from './pool.js';

const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1);
const parseOccupants = (rows: Array<{ state: string }>): MucOccupant[] => rows.map((row) => JSON.parse(row.state) as MucOccupant);

async function putOccupants(tx: Queryable, room: string, occupants: readonly MucOccupant[]): Promise<void> {
  for (const o of occupants) {
    // seq keeps join order: an upsert (a nick or status change) keeps the occupant's place.
    await tx.query(
      'INSERT INTO muc_occupants (room, domain, jid, nick, node, state) VALUES ($1, $2, $3, $4, $5, $6) ' +
        'ON CONFLICT (room, jid) DO UPDATE SET nick = excluded.nick, node = excluded.node, state = excluded.state',
      [room, domainOf(room), o.jid, o.nick, o.node, JSON.stringify(o)],
    );
  }
}

export function createPostgresMucRepository(db: Database): MucRepository {
  return {
    async get(jid) {
      const { rows } = await db.query<{ state: string; stamp: string }>('SELECT state, occupants_stamp AS stamp FROM muc_rooms WHERE jid = $1', [jid]);
      return rows[0] && { room: JSON.parse(rows[0].state) as MucRoom, occupantsStamp: rows[0].stamp };
    },
    update: (jid, decide, only) =>
      db.transaction(async (tx) => {
        await lockKey(tx, LOCK.mucRoom, jid);
        const { rows } = await tx.query<{ state: string; stamp: string }>('SELECT state, occupants_stamp AS stamp FROM muc_rooms WHERE jid = $1', [jid]);
        const row = rows[0];
        const occupantRows = !row
          ? []
          : only
            ? (await tx.query<{ state: string }>('SELECT state FROM muc_occupants WHERE room = $1 AND (jid = $2 OR nick = $3) ORDER BY seq', [jid, only.jid, only.nick])).rows
            : (await tx.query<{ state: string }>('SELECT state FROM muc_occupants WHERE room = $1 ORDER BY seq', [jid])).rows;
        const occupantCount = !row ? 0 : only ? Number((await tx.query<{ n: string }>('SELECT count(*) AS n FROM muc_occupants WHERE room = $1', [jid])).rows[0]!.n) : occupantRows.length;
        const change = decide({ room: row && (JSON.parse(row.state) as MucRoom), occupants: parseOccupants(occupantRows), occupantCount });
        const stampBefore = row?.stamp ?? '';
        if (change.write === 'delete') {
          await tx.query('DELETE FROM muc_occupants WHERE room = $1', [jid]);
          await tx.query('DELETE FROM muc_rooms WHERE jid = $1', [jid]);
          return { result: change.result, stampBefore, stampAfter: '' };
        }
        let stampAfter = stampBefore;
        if (change.write) {
          if (!row) stampAfter = newOccupantsStamp();
          await tx.query(
            'INSERT INTO muc_rooms (jid, domain, state, occupants_stamp) VALUES ($1, $2, $3, $4) ON CONFLICT (jid) DO UPDATE SET state = excluded.state',
            [jid, domainOf(jid), JSON.stringify(change.write), stampAfter],
          );
        }
        if ((row || change.write) && changesOccupants(change)) {
          const gone = change.removeOccupants ?? [];
          if (gone.length > 0) await tx.query('DELETE FROM muc_occupants WHERE room = $1 AND jid = ANY($2)', [jid, gone]);
          await putOccupants(tx, jid, change.putOccupants ?? []);
          stampAfter = newOccupantsStamp();
          await tx.query('UPDATE muc_rooms SET occupants_stamp = $1 WHERE jid = $2', [stampAfter, jid]);
        }
        return { result: change.result, stampBefore, stampAfter };
      }),
    async list(domain) {
      const { rows } = await db.query<{ state: string }>('SELECT state FROM muc_rooms WHERE domain = $1 ORDER BY jid', [domain]);
      return rows.map((row) => JSON.parse(row.state) as MucRoom);
    },
    async occupants(jid) {
      // The stamp first: rows changed after it leave the cache with an older stamp, which the next get replaces.
      const stamp = (await db.query<{ stamp: string }>('SELECT occupants_stamp AS stamp FROM muc_rooms WHERE jid = $1', [jid])).rows[0]?.stamp ?? '';
      const { rows } = await db.query<{ state: string }>('SELECT state FROM muc_occupants WHERE room = $1 ORDER BY seq', [jid]);
      return { stamp, occupants: parseOccupants(rows) };
    },
    async removeOccupants(domain, node) {
      const { rows } = await db.query<{ room: string }>(
        node === undefined ? 'SELECT DISTINCT room FROM muc_occupants WHERE domain = $1' : 'SELECT DISTINCT room FROM muc_occupants WHERE domain = $1 AND node = $2',
        node === undefined ? [domain] : [domain, node],
      );
      const removed: Array<{ room: string; occupants: MucOccupant[] }> = [];
      for (const { room } of rows) {
        const occupants = await db.transaction(async (tx) => {
          await lockKey(tx, LOCK.mucRoom, room);
          const gone = await tx.query<{ state: string; seq: string }>(
            node === undefined ? 'DELETE FROM muc_occupants WHERE room = $1 RETURNING state, seq' : 'DELETE FROM muc_occupants WHERE room = $1 AND node = $2 RETURNING state, seq',
            node === undefined ? [room] : [room, node],
          );
          await tx.query('UPDATE muc_rooms SET occupants_stamp = $1 WHERE jid = $2', [newOccupantsStamp(), room]);
          return parseOccupants(gone.rows.sort((a, b) => Number(a.seq) - Number(b.seq)));
        });
        if (occupants.length > 0) removed.push({ room, occupants });
      }
      return removed;
    },
  };
}
