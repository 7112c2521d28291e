// XEP-0160 offline messages: chat/normal messages for an account with no available resource are
// stored (with a XEP-0203 delay) up to a per-account quota and delivered when a resource next
// sends non-negative available presence.
import { PRE_PRESENCE_BARE } from '../../core/events.js';
import { positiveIntegerOption } from '../../core/modules/options.js';
import type { HeraldModule } from '../../core/modules/module.js';
import { NS } from '../../xml/ns.js';
import { presencePriority } from '../../protocol/presence-priority.js';
import { createFlusher } from './flush.js';
import { storeOffline } from './store.js';

const DEFAULT_QUOTA = 1000;
const PAGE_SIZE = 200;
/** Node notice: a message was stored for the account (key) through another node. */
const STORED_NOTICE = 'offline/stored';

export const offlineModule: HeraldModule = {
  name: 'offline',
  enabledByDefault: true,

  load(ctx) {
    const quota = positiveIntegerOption(ctx, 'quota', DEFAULT_QUOTA);
    const flusher = createFlusher(ctx, { pageSize: PAGE_SIZE });

    // XEP-0160 §4.
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined) event.features.add(NS.msgoffline);
    });

    ctx.on('message/offline', (event) =>
      storeOffline(ctx, event, quota, async (account) => {
        flusher.stored(account);
        // The resource its stored messages go to may be on another node (its flush runs there).
        await ctx.delivery.notifyNodes(STORED_NOTICE, account);
      }),
    );
    ctx.on('node/notice', ({ topic, key }) => {
      if (topic === undefined) flusher.storedAny();
      else if (topic === STORED_NOTICE && key !== undefined) flusher.stored(key);
      return false;
    });

    // Broadcast presence (no 'to'): available with priority ≥ 0 starts delivery to that resource;
    // unavailable or a negative priority ends it. Never claims: presence goes on as usual, and a
    // failing store must not cost the user their presence.
    ctx.on(
      'pre-presence/bare',
      async ({ origin, stanza }) => {
        if (!origin || stanza.attrs.to !== undefined) return false;
        const type = stanza.attrs.type;
        if (type !== undefined && type !== 'unavailable') return false;
        if (type === undefined && presencePriority(stanza) >= 0) flusher.available(origin);
        else flusher.unavailable(origin);
        return false;
      },
      // Before the presence module, which claims broadcast presence and makes the session
      // available: the flush starts (and runs beside the session's queue) while the session is not
      // yet available; delivery to its socket does not depend on that, and a message stored
      // meanwhile is handed to the running flush (see flush.ts).
      PRE_PRESENCE_BARE.offlineDelivery,
    );

    ctx.on('session/closed', ({ session }) => {
      flusher.unavailable(session);
      return false;
    });
  },
};
