// XEP-0045 rooms in process memory, kept as JSON so no caller shares an object with the store;
// each room's occupants in a map of their own (insertion order is join order).
import type { MucOccupant, MucRepository, MucRoom } from '../types.js';
import { changesOccupants, matchesFilter, newOccupantsStamp } from '../muc-stamp.js';

interface StoredRoom {
  state: string;
  stamp: string;
  occupants: Map<string, string>;
}

export function createMemoryMucRepository(assertOpen: () => void): MucRepository {
  const rooms = new Map<string, StoredRoom>();
  const occupantsOf = (stored: StoredRoom | undefined): MucOccupant[] =>
    stored ? [...stored.occupants.values()].map((json) => JSON.parse(json) as MucOccupant) : [];
  return {
    async get(jid) {
      assertOpen();
      const stored = rooms.get(jid);
      return stored && { room: JSON.parse(stored.state) as MucRoom, occupantsStamp: stored.stamp };
    },
    async update(jid, decide, only) {
      assertOpen();
      // No await between read and write: atomic within this process.
      const stored = rooms.get(jid);
      const change = decide({
        room: stored && (JSON.parse(stored.state) as MucRoom),
        occupants: occupantsOf(stored).filter((o) => matchesFilter(o, only)),
        occupantCount: stored?.occupants.size ?? 0,
      });
      const stampBefore = stored?.stamp ?? '';
      if (change.write === 'delete') {
        rooms.delete(jid);
        return { result: change.result, stampBefore, stampAfter: '' };
      }
      let target = stored;
      if (change.write) {
        target ??= { state: '', stamp: newOccupantsStamp(), occupants: new Map() };
        target.state = JSON.stringify(change.write);
        rooms.set(jid, target);
      }
      if (target && changesOccupants(change)) {
        for (const gone of change.removeOccupants ?? []) target.occupants.delete(gone);
        for (const occupant of change.putOccupants ?? []) target.occupants.set(occupant.jid, JSON.stringify(occupant));
        target.stamp = newOccupantsStamp();
      }
      return { result: change.result, stampBefore, stampAfter: target?.stamp ?? '' };
    },
    async list(domain) {
      assertOpen();
      const suffix = `@${domain}`;
      return [...rooms.keys()].filter((jid) => jid.endsWith(suffix)).sort().map((jid) => JSON.parse(rooms.get(jid)!.state) as MucRoom);
    },
    async occupants(jid) {
      assertOpen();
      const stored = rooms.get(jid);
      return { stamp: stored?.stamp ?? '', occupants: occupantsOf(stored) };
    },
    async removeOccupants(domain, node) {
      assertOpen();
      const suffix = `@${domain}`;
      const removed: Array<{ room: string; occupants: MucOccupant[] }> = [];
      for (const [jid, stored] of rooms) {
        if (!jid.endsWith(suffix)) continue;
        const gone = occupantsOf(stored).filter((o) => node === undefined || o.node === node);
        if (gone.length === 0) continue;
        for (const occupant of gone) stored.occupants.delete(occupant.jid);
        stored.stamp = newOccupantsStamp();
        removed.push({ room: jid, occupants: gone });
      }
      return removed;
    },
  };
}
