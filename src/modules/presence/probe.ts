// Answering presence probes for a local account (RFC 6121 §4.3.2).
import type { StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { xml } from '../../xml/element.js';
import { lastUnavailableFor } from './last-unavailable.js';
import { isSubscriber } from './roster-view.js';
import { lastPresenceOf, readdressed } from './stanzas.js';

export async function answerProbe(ctx: ModuleContext, event: StanzaEvent): Promise<void> {
  const { stanza, from, to } = event;
  const account = to.bare;
  const id = stanza.attrs.id as string | undefined;
  // The user's own resources see each other's presence (§4.2.2), so a self-probe is allowed.
  const allowed = from.bare.equals(account) || (await isSubscriber(ctx, account, from));
  if (!allowed) {
    // §4.3.2 rule 1: no such account, or the prober is not subscribed: "unsubscribed" from the bare
    // JID (a full JID would leak presence), which lets the prober's server clean up its roster.
    await ctx.router.route(xml('presence', { type: 'unsubscribed', id, from: account.toBareString(), to: from.toBareString() }));
    return;
  }
  const prober = from.toString();
  const available = (await ctx.sessions.byBareJid(account.toBareString())).filter((ref) => ref.available);
  // A probe to a full JID asks about that resource; when it is not available the account answers
  // as for its bare JID (RFC 6121 §8.5.3.2.1 sends such probes to §4.3 processing).
  const resource = to.isBare ? undefined : available.find((ref) => ref.jid === to.toString());
  const answering = resource ? [resource] : available;
  if (answering.length === 0) {
    // §4.3.2 rule 3: nobody online.
    await ctx.router.route(await lastUnavailableFor(ctx, account, prober, id));
    return;
  }
  // §4.3.2 rule 4: the last presence of each available resource, from that resource.
  for (const ref of answering) await ctx.router.route(readdressed(lastPresenceOf(ref), ref.jid, prober));
}
