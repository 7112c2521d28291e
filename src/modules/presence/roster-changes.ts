// A contact gaining or losing the right to see the user's presence (RFC 6121 §3.1.5, §3.2.2,
// §3.3.3): it is told the current presence of each available resource, or that they are gone.
import type { RosterChangedEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { hasFrom } from './roster-view.js';
import { lastPresenceOf, readdressed, unavailablePresence } from './stanzas.js';

export async function onRosterChanged(ctx: ModuleContext, event: RosterChangedEvent): Promise<void> {
  const { account, contact, before, after } = event;
  const had = hasFrom(before?.subscription);
  const has = hasFrom(after?.subscription);
  if (had === has || contact.bare.equals(account.bare)) return;
  const to = contact.toBareString();
  for (const ref of await ctx.sessions.byBareJid(account.toBareString())) {
    if (!ref.available) continue;
    const presence = has ? readdressed(lastPresenceOf(ref), ref.jid, to) : unavailablePresence(ref.jid, to);
    await ctx.router.route(presence);
  }
}
