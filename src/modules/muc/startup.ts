// At start-up nobody is in any room yet: whoever was there when this server stopped lost their
// session with it. Occupants are dropped and temporary rooms removed. With several nodes this
// would also drop the other nodes' occupants; occupants do not record their node yet (see
// docs/architecture.md, "Rooms on several nodes").
import type { ModuleContext } from '../../core/modules/module.js';

export async function forgetOccupants(ctx: ModuleContext, service: string): Promise<void> {
  for (const room of await ctx.storage.muc.list(service)) {
    if (room.occupants.length === 0 && room.config.persistent) continue;
    await ctx.storage.muc.update(room.jid, (stored) => {
      if (!stored) return { result: undefined };
      if (!stored.config.persistent) return { result: undefined, write: 'delete' };
      return { result: undefined, write: { ...stored, occupants: [] } };
    });
  }
}
