// Presence of a user's own resources (RFC 6121 §4.2, §4.4, §4.5): availability and priority per
// session, kept in the session registry for message delivery, and broadcast to the user's other
// available resources. Contacts' presence (rosters, subscriptions, probes) plugs in here later.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { presencePriority } from './priority.js';

export const presenceModule: HeraldModule = {
  name: 'presence',
  enabledByDefault: true,
  load(ctx) {
    // A presence without 'to' is a broadcast (§4.2.1); the router addresses it to the sender's bare JID.
    ctx.on('pre-presence/bare', async ({ stanza, origin }) => {
      if (!origin || stanza.attrs.to !== undefined) return false;
      const type = stanza.attrs.type;
      if (type === undefined) await becomeAvailable(ctx, origin, stanza);
      else if (type === 'unavailable') await becomeUnavailable(ctx, origin, stanza);
      else return false;
      return true;
    });
    ctx.on('session/closed', async ({ session }) => {
      // §4.5.2: a session that ends without saying so is unavailable too.
      if (session.available) await becomeUnavailable(ctx, session, xml('presence', { type: 'unavailable', from: session.jid.toString() }));
    });
  },
};

async function becomeAvailable(ctx: ModuleContext, session: LocalSession, presence: Element): Promise<void> {
  session.available = true;
  session.priority = presencePriority(presence);
  session.presence = presence;
  await ctx.sessions.update(session.ref());
  await broadcastToOwnResources(ctx, session, presence);
}

async function becomeUnavailable(ctx: ModuleContext, session: LocalSession, presence: Element): Promise<void> {
  session.available = false;
  session.presence = undefined;
  await ctx.sessions.update(session.ref());
  await broadcastToOwnResources(ctx, session, presence);
}

/** §4.2.2 / §4.4.2: to every available resource of the user, the sender's own included. */
async function broadcastToOwnResources(ctx: ModuleContext, session: LocalSession, presence: Element): Promise<void> {
  const refs = await ctx.sessions.byBareJid(session.jid.toBareString());
  for (const ref of refs) {
    if (!ref.available && ref.id !== session.id) continue;
    const copy = cloneElement(presence);
    copy.attrs.from = session.jid.toString();
    copy.attrs.to = ref.jid;
    await ctx.delivery.toSession(ref, copy);
  }
}
