// Presence (RFC 6121 §4): broadcasts from local sessions to their subscribers and own resources,
// probes and their answers, directed presence, delivery of inbound presence, and presence owed
// when a subscription starts or ends. Subscription requests themselves are the roster module's.
import { PRE_PRESENCE_BARE, SESSION_CLOSED } from '../../core/events.js';
import type { HeraldModule } from '../../core/modules/module.js';
import { handleBroadcast, sessionEnded, sessionLost } from './broadcast.js';
import { handleDirected } from './directed.js';
import { toBareJid, toFullJid } from './inbound.js';
import { onRosterChanged } from './roster-changes.js';

export const presenceModule: HeraldModule = {
  name: 'presence',
  enabledByDefault: true,
  load(ctx) {
    // Sender's host. The router gives a presence without 'to' the sender's bare JID as its target,
    // so the raw attribute tells a broadcast (§4.2.1, §4.4.1, §4.5.1) from directed presence (§4.6.1).
    ctx.on(
      'pre-presence/bare',
      async (event) => {
        if (!event.origin) return false;
        if (event.stanza.attrs.to === undefined) return handleBroadcast(ctx, event.origin, event.stanza);
        return handleDirected(ctx, event);
      },
      PRE_PRESENCE_BARE.broadcast,
    );
    ctx.on('pre-presence/full', (event) => handleDirected(ctx, event));
    ctx.on('pre-presence/host', (event) => handleDirected(ctx, event));

    // Recipient's host.
    ctx.on('presence/full', (event) => toFullJid(ctx, event));
    ctx.on('presence/bare', (event) => toBareJid(ctx, event));

    ctx.on('session/closed', async ({ session }) => {
      await sessionEnded(ctx, session);
    }, SESSION_CLOSED.unavailable);
    ctx.on('session/lost', async ({ ref }) => {
      await sessionLost(ctx, ref);
    });
    ctx.on('roster/changed', async (event) => {
      await onRosterChanged(ctx, event);
    });
  },
};
