// Rooms as the handlers work with them: the stored room with its occupant list. Occupants live in
// rows of their own; each node keeps a room's list in a cache under the room's occupants stamp
// (MucUpdated), so a groupchat message reads the room row and nothing else while nobody joins or
// leaves. Invalidation: every occupant change on any node writes a new stamp in the room row; a
// node whose cached stamp differs from the one it reads fetches the list again. Changes made
// through this node move the cache from the old stamp to the new one without a fetch.
import type { MucOccupant, MucOccupantFilter, MucRoom, MucRoomChange, MucRoomState, MucUpdated } from '../../storage/types.js';
import type { RoomContext } from './room-context.js';

/** A room with everyone in it. */
export type LiveRoom = MucRoom & { occupants: MucOccupant[] };

interface CachedList {
  stamp: string;
  occupants: readonly MucOccupant[];
}

/** Enough for every busy room of a node; the oldest entry goes first beyond it. */
const MAX_CACHED_ROOMS = 10_000;

export class OccupantCache {
  private readonly lists = new Map<string, CachedList>();

  get(room: string, stamp: string): readonly MucOccupant[] | undefined {
    const cached = this.lists.get(room);
    return cached?.stamp === stamp ? cached.occupants : undefined;
  }

  set(room: string, stamp: string, occupants: readonly MucOccupant[]): void {
    this.lists.delete(room);
    if (stamp === '') return;
    if (this.lists.size >= MAX_CACHED_ROOMS) this.lists.delete(this.lists.keys().next().value!);
    this.lists.set(room, { stamp, occupants });
  }

  /** A change this node made: applied when the cache held the list it changed, else the entry is dropped. */
  apply(room: string, updated: MucUpdated<unknown>, put: readonly MucOccupant[], removed: readonly string[]): void {
    const cached = this.lists.get(room);
    if (updated.stampAfter === updated.stampBefore) return;
    if (!cached || cached.stamp !== updated.stampBefore || updated.stampAfter === '') {
      this.lists.delete(room);
      return;
    }
    // A new array: handlers still iterating the old one (fan-out in progress) keep what they had.
    // A changed occupant keeps its place, as its row does; a newcomer goes last.
    const gone = new Set(removed);
    const replaced = new Map(put.map((o) => [o.jid, o]));
    const next = cached.occupants.filter((o) => !gone.has(o.jid)).map((o) => replaced.get(o.jid) ?? o);
    const present = new Set(cached.occupants.map((o) => o.jid));
    for (const o of put) if (!present.has(o.jid)) next.push(o);
    this.set(room, updated.stampAfter, next);
  }
}

/** The room's occupants as of `stamp` (from the cache when it holds them). */
export async function occupantsAt(rooms: RoomContext, room: string, stamp: string): Promise<readonly MucOccupant[]> {
  const cached = rooms.occupantCache.get(room, stamp);
  if (cached) return cached;
  const fresh = await rooms.ctx.storage.muc.occupants(room);
  rooms.occupantCache.set(room, fresh.stamp, fresh.occupants);
  return fresh.occupants;
}

export async function loadRoom(rooms: RoomContext, jid: string): Promise<LiveRoom | undefined> {
  const stored = await rooms.ctx.storage.muc.get(jid);
  if (!stored) return undefined;
  return { ...stored.room, occupants: [...(await occupantsAt(rooms, jid, stored.occupantsStamp))] };
}

/** An atomic change given in occupant rows (joins and leaves, which load only the rows they need). */
export async function changeRoom<T>(rooms: RoomContext, jid: string, decide: (state: MucRoomState) => MucRoomChange<T>, only?: MucOccupantFilter): Promise<MucUpdated<T>> {
  let put: readonly MucOccupant[] = [];
  let removed: readonly string[] = [];
  const updated = await rooms.ctx.storage.muc.update(
    jid,
    (state) => {
      const change = decide(state);
      put = change.putOccupants ?? [];
      removed = change.removeOccupants ?? [];
      return change;
    },
    only,
  );
  rooms.occupantCache.apply(jid, updated, put, removed);
  return updated;
}

/**
 * An atomic change over the whole room, occupants included (the rarer owner, admin and subject
 * changes): the decision returns the room as it should be and the occupant rows that differ are written.
 */
export async function updateLiveRoom<T>(rooms: RoomContext, jid: string, decide: (room: LiveRoom | undefined) => { result: T; write?: LiveRoom | 'delete' }): Promise<T> {
  const updated = await changeRoom(rooms, jid, (state): MucRoomChange<T> => {
    const before = state.room && { ...state.room, occupants: state.occupants };
    const change = decide(before);
    if (change.write === undefined || change.write === 'delete') return { result: change.result, ...(change.write ? { write: change.write } : {}) };
    const { occupants, ...room } = change.write;
    const previous = new Map(state.occupants.map((o) => [o.jid, JSON.stringify(o)]));
    const kept = new Set(occupants.map((o) => o.jid));
    return {
      result: change.result,
      write: room,
      putOccupants: occupants.filter((o) => previous.get(o.jid) !== JSON.stringify(o)),
      removeOccupants: [...previous.keys()].filter((j) => !kept.has(j)),
    };
  });
  return updated.result;
}
