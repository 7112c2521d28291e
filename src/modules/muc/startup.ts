// At start-up this node holds no session yet: whoever was in a room through it when it stopped
// lost that session. Its occupants are removed (every occupant when the node runs alone, since a
// lone node's id changes with each start), the occupants other nodes still hold are told they
// left (§7.14), and temporary rooms left empty are removed.
import type { RoomContext } from './room-context.js';
import { occupantPresence } from './occupant-presence.js';
import { loadRoom, changeRoom } from './room-store.js';

export async function forgetOccupants(rooms: RoomContext, service: string): Promise<void> {
  const { ctx } = rooms;
  const alone = ctx.config.cluster?.redisUrl === undefined;
  for (const { room: jid, occupants } of await ctx.storage.muc.removeOccupants(service, alone ? undefined : ctx.delivery.nodeId)) {
    const room = await loadRoom(rooms, jid);
    if (!room || room.occupants.length === 0) continue;
    // Only those still there: the sessions of the removed ones are gone with this node's restart.
    for (const gone of occupants) for (const viewer of room.occupants) await rooms.send(occupantPresence(rooms, room, gone, viewer, { type: 'unavailable' }));
  }
  for (const room of await ctx.storage.muc.list(service)) {
    if (room.config.persistent) continue;
    await changeRoom(rooms, room.jid, (state) =>
      state.room && !state.room.config.persistent && state.occupantCount === 0 ? { result: undefined, write: 'delete' } : { result: undefined },
    { jid: '', nick: '' });
  }
}
