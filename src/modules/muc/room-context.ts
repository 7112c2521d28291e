// What every room handler needs: storage, routing, ids and the module's options. Built once per
// module load; holds no room state (that is all in storage.muc) beyond the occupant cache.
import { createHmac } from 'node:crypto';
import type { ModuleContext } from '../../core/modules/module.js';
import type { Element } from '../../xml/element.js';
import type { MucOptions } from './options.js';
import { OccupantCache } from './room-store.js';

export interface RoomContext {
  ctx: ModuleContext;
  options: MucOptions;
  /** Routes a stanza the service sends (from a room or an occupant JID). */
  send(stanza: Element): Promise<void>;
  /** XEP-0421: the same opaque id for one real bare JID in one room, on every node. */
  occupantId(room: string, bareJid: string): string;
  /** Each room's occupant list under its stamp (room-store.ts says how it stays right). */
  occupantCache: OccupantCache;
  /** Signs the ids of IQs forwarded between occupants (occupant-iq.ts). */
  iqSecret: string;
}

export function createRoomContext(ctx: ModuleContext, options: MucOptions, secret: string): RoomContext {
  return {
    ctx,
    options,
    send: (stanza) => ctx.router.route(stanza),
    occupantId: (room, bareJid) => createHmac('sha256', secret).update(`${room}\n${bareJid}`).digest('base64url').slice(0, 22),
    occupantCache: new OccupantCache(),
    iqSecret: secret,
  };
}

/** The service's secret for occupant ids, created once and shared by every node through storage. */
export async function occupantIdSecret(ctx: ModuleContext, randomValue: () => string): Promise<string> {
  const scope = 'muc';
  const key = 'occupant-id-secret';
  const existing = await ctx.storage.kv.get(scope, key);
  if (existing !== undefined) return existing;
  const fresh = randomValue();
  if (await ctx.storage.kv.compareAndSet(scope, key, undefined, fresh)) return fresh;
  return (await ctx.storage.kv.get(scope, key))!;
}
