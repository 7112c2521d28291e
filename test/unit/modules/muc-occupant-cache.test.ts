// The occupant cache of the MUC module (room-store.ts) on two "nodes" sharing one storage: each
// keeps a room's occupant list under the room's stamp, moves it forward on its own changes, and
// fetches it again when another node has changed the room.
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import type { MucOccupant, MucRoom, Storage } from '../../../src/storage/types.js';
import { OccupantCache, changeRoom, loadRoom } from '../../../src/modules/muc/room-store.js';
import type { RoomContext } from '../../../src/modules/muc/room-context.js';

const ROOM = 'cache@conference.example.org';

function node(storage: Storage): RoomContext {
  return { ctx: { storage } as RoomContext['ctx'], options: {} as RoomContext['options'], send: async () => {}, occupantId: () => 'id', occupantCache: new OccupantCache(), iqSecret: 's' };
}

const room: MucRoom = {
  jid: ROOM,
  config: { name: '', description: '', persistent: true, public: true, membersOnly: false, moderated: false, password: '', whois: 'moderators', maxUsers: 100, historyLength: 0, allowInvites: false, changeSubject: false, memberListVisibleTo: [], allowPrivateMessages: true },
  affiliations: {},
  locked: false,
  createdAt: 0,
  creator: 'a@example.org',
};
const occupant = (nick: string): MucOccupant => ({ nick, jid: `${nick}@example.org/r`, role: 'participant', occupantId: nick, presence: '', node: 'n' });
const join = (rooms: RoomContext, nick: string) => changeRoom(rooms, ROOM, () => ({ result: undefined, putOccupants: [occupant(nick)] }), { jid: `${nick}@example.org/r`, nick });
const nicks = async (rooms: RoomContext) => (await loadRoom(rooms, ROOM))!.occupants.map((o) => o.nick);

describe('MUC occupant cache', () => {
  it('serves a groupchat from the cache (no list read) while nobody joins or leaves', async () => {
    const storage = createMemoryStorage();
    const a = node(storage);
    await changeRoom(a, ROOM, () => ({ result: undefined, write: room, putOccupants: [occupant('x')] }));
    expect(await nicks(a)).toEqual(['x']);
    const listRead = vi.spyOn(storage.muc, 'occupants');
    for (let i = 0; i < 5; i++) expect(await nicks(a)).toEqual(['x']);
    // Its own joins move the cached list forward without a read either.
    await join(a, 'y');
    expect(await nicks(a)).toEqual(['x', 'y']);
    expect(listRead).not.toHaveBeenCalled();
  });

  it('a change made through another node is seen at once: the stamp differs, the list is read again', async () => {
    const storage = createMemoryStorage();
    const a = node(storage);
    const b = node(storage);
    await changeRoom(a, ROOM, () => ({ result: undefined, write: room, putOccupants: [occupant('x')] }));
    expect(await nicks(a)).toEqual(['x']);
    expect(await nicks(b)).toEqual(['x']);
    await join(b, 'y');
    expect(await nicks(a)).toEqual(['x', 'y']);
    await changeRoom(a, ROOM, () => ({ result: undefined, removeOccupants: ['x@example.org/r'] }));
    expect(await nicks(b)).toEqual(['y']);
    // Deleted and created again through the other node: never the old list.
    await changeRoom(b, ROOM, () => ({ result: undefined, write: 'delete' }));
    await changeRoom(b, ROOM, () => ({ result: undefined, write: room, putOccupants: [occupant('z')] }));
    expect(await nicks(a)).toEqual(['z']);
  });
});
