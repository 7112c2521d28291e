// XEP-0045 rooms in SQLite: table muc_rooms (one row per room, its state as JSON, and the stamp of
// its occupant list) and muc_occupants (one row per occupant). An update's read, decision and
// write run in one IMMEDIATE transaction, so another connection (another node) cannot slip a
// write in between.
import type { MucOccupant, MucOccupantFilter, MucRepository, MucRoom, MucRoomChange, MucUpdated } from '../types.js';
import { changesOccupants, newOccupantsStamp } from '../muc-stamp.js';
import type { SqliteDatabase } from './database.js';

const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1);
const parseOccupants = (rows: Array<{ state: string }>): MucOccupant[] => rows.map((row) => JSON.parse(row.state) as MucOccupant);

export function createSqliteMucRepository(db: SqliteDatabase): MucRepository {
  const select = db.prepare<[string], { state: string; stamp: string }>('SELECT state, occupants_stamp AS stamp FROM muc_rooms WHERE jid = ?');
  const upsert = db.prepare<[string, string, string, string]>(
    'INSERT INTO muc_rooms (jid, domain, state, occupants_stamp) VALUES (?, ?, ?, ?) ON CONFLICT (jid) DO UPDATE SET state = excluded.state',
  );
  const setStamp = db.prepare<[string, string]>('UPDATE muc_rooms SET occupants_stamp = ? WHERE jid = ?');
  const remove = db.prepare<[string]>('DELETE FROM muc_rooms WHERE jid = ?');
  const byDomain = db.prepare<[string], { state: string }>('SELECT state FROM muc_rooms WHERE domain = ? ORDER BY jid');
  const allOccupants = db.prepare<[string], { state: string }>('SELECT state FROM muc_occupants WHERE room = ? ORDER BY rowid');
  const someOccupants = db.prepare<[string, string, string], { state: string }>('SELECT state FROM muc_occupants WHERE room = ? AND (jid = ? OR nick = ?) ORDER BY rowid');
  const countOccupants = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM muc_occupants WHERE room = ?');
  // rowid keeps join order: an upsert (a nick or status change) keeps the occupant's place.
  const putOccupant = db.prepare<[string, string, string, string, string, string]>(
    'INSERT INTO muc_occupants (room, domain, jid, nick, node, state) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (room, jid) DO UPDATE SET nick = excluded.nick, node = excluded.node, state = excluded.state',
  );
  const removeOccupant = db.prepare<[string, string]>('DELETE FROM muc_occupants WHERE room = ? AND jid = ?');
  const removeAllOccupants = db.prepare<[string]>('DELETE FROM muc_occupants WHERE room = ?');
  const roomsOfNode = db.prepare<[string, string], { room: string }>('SELECT DISTINCT room FROM muc_occupants WHERE domain = ? AND node = ?');
  const roomsOfDomain = db.prepare<[string], { room: string }>('SELECT DISTINCT room FROM muc_occupants WHERE domain = ?');
  const occupantsOfNode = db.prepare<[string, string], { state: string }>('SELECT state FROM muc_occupants WHERE room = ? AND node = ? ORDER BY rowid');
  const removeOfNode = db.prepare<[string, string]>('DELETE FROM muc_occupants WHERE room = ? AND node = ?');

  const updateTx = db.transaction(<T>(jid: string, decide: (s: Parameters<Parameters<MucRepository['update']>[1]>[0]) => MucRoomChange<T>, only?: MucOccupantFilter): MucUpdated<T> => {
    const row = select.get(jid);
    const occupants = row ? parseOccupants(only ? someOccupants.all(jid, only.jid, only.nick) : allOccupants.all(jid)) : [];
    const occupantCount = row ? (only ? countOccupants.get(jid)!.n : occupants.length) : 0;
    const change = decide({ room: row && (JSON.parse(row.state) as MucRoom), occupants, occupantCount });
    const stampBefore = row?.stamp ?? '';
    if (change.write === 'delete') {
      removeAllOccupants.run(jid);
      remove.run(jid);
      return { result: change.result, stampBefore, stampAfter: '' };
    }
    let stampAfter = stampBefore;
    if (change.write) {
      if (!row) stampAfter = newOccupantsStamp();
      upsert.run(jid, domainOf(jid), JSON.stringify(change.write), stampAfter);
    }
    if ((row || change.write) && changesOccupants(change)) {
      for (const gone of change.removeOccupants ?? []) removeOccupant.run(jid, gone);
      for (const o of change.putOccupants ?? []) putOccupant.run(jid, domainOf(jid), o.jid, o.nick, o.node, JSON.stringify(o));
      stampAfter = newOccupantsStamp();
      setStamp.run(stampAfter, jid);
    }
    return { result: change.result, stampBefore, stampAfter };
  });
  const readOccupants = db.transaction((jid: string) => ({ stamp: select.get(jid)?.stamp ?? '', occupants: parseOccupants(allOccupants.all(jid)) }));
  const removeTx = db.transaction((domain: string, node: string | undefined) => {
    const rooms = node === undefined ? roomsOfDomain.all(domain) : roomsOfNode.all(domain, node);
    return rooms.map(({ room }) => {
      const occupants = node === undefined ? parseOccupants(allOccupants.all(room)) : parseOccupants(occupantsOfNode.all(room, node));
      if (node === undefined) removeAllOccupants.run(room);
      else removeOfNode.run(room, node);
      setStamp.run(newOccupantsStamp(), room);
      return { room, occupants };
    });
  });
  return {
    async get(jid) {
      const row = select.get(jid);
      return row && { room: JSON.parse(row.state) as MucRoom, occupantsStamp: row.stamp };
    },
    async update(jid, decide, only) {
      return updateTx.immediate(jid, decide, only) as MucUpdated<ReturnType<typeof decide>['result']>;
    },
    async list(domain) {
      return byDomain.all(domain).map((row) => JSON.parse(row.state) as MucRoom);
    },
    async occupants(jid) {
      return readOccupants(jid);
    },
    async removeOccupants(domain, node) {
      return removeTx.immediate(domain, node);
    },
  };
}
