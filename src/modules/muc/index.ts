// XEP-0045 Multi-User Chat as a component domain, conference.<domain> for each hosted domain.
// Room state (configuration, affiliations, subject, occupants) is in storage.muc, read and changed
// atomically per stanza; each room's messages go to storage.archive under the room's JID, which
// serves discussion history and the room's XEP-0313 archive. Nothing about a room is kept in
// process memory, so any node can handle any stanza to any room.
import { randomBytes } from 'node:crypto';
import type { HeraldModule } from '../../core/modules/module.js';
import { readMucOptions } from './options.js';
import { createRoomContext, occupantIdSecret } from './room-context.js';
import { serviceHandler } from './service.js';
import { forgetOccupants } from './startup.js';

export const mucModule: HeraldModule = {
  name: 'muc',
  enabledByDefault: true,

  async load(ctx) {
    const options = readMucOptions(ctx);
    const secret = await occupantIdSecret(ctx, () => randomBytes(32).toString('base64url'));
    const rooms = createRoomContext(ctx, options, secret);
    const serviceOf = (domain: string) => `${options.subdomain}.${domain}`;
    for (const domain of ctx.hosts.names()) {
      await forgetOccupants(rooms, serviceOf(domain));
      ctx.serveDomain(serviceOf(domain), serviceHandler(rooms));
    }
    // XEP-0045 §6.1: clients find the service among the server's disco#items.
    ctx.on('disco/items', (event) => {
      if (event.target === 'host' && event.node === undefined) event.items.push({ jid: serviceOf(event.jid.domain), name: 'Chatrooms' });
    });
  },
};
