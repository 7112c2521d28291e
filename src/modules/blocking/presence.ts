// Presence owed when a block starts or ends (XEP-0191 §3.3, §3.4): a contact allowed to see the
// account's presence (subscription 'from' or 'both', RFC 6121) is told the account went
// unavailable when blocked, and gets its current presence back when unblocked. Each available
// resource of the account speaks for itself, as it would in a broadcast.
import type { ModuleContext } from '../../core/modules/module.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { parseJid, type Jid } from '../../protocol/jid.js';
import { buildElement } from '../../xml/element-builder.js';
import { xml, type Element } from '../../xml/element.js';
import type { OwnStanzas } from './filters.js';
import { isBlocked, type Blocklist } from './matching.js';

/**
 * Where the presence goes for some entries: an entry naming a user (bare or full) is told
 * directly if that user is a subscriber; a domain entry reaches every subscriber it matches.
 */
async function subscribersMatching(ctx: ModuleContext, account: Jid, entries: readonly string[]): Promise<string[]> {
  const { items } = await ctx.storage.roster.get(account.toBareString());
  const subscribers = new Set(items.filter((item) => item.subscription === 'from' || item.subscription === 'both').map((item) => item.jid));
  const targets = new Set<string>();
  for (const entry of entries) {
    const jid = parseJid(entry);
    if (jid.local !== '') {
      if (subscribers.has(jid.toBareString())) targets.add(entry);
      continue;
    }
    const list: Blocklist = new Set([entry]);
    for (const contact of subscribers) if (isBlocked(list, parseJid(contact))) targets.add(contact);
  }
  return [...targets];
}

async function availableResources(ctx: ModuleContext, account: Jid): Promise<SessionRef[]> {
  return (await ctx.sessions.byBareJid(account.toBareString())).filter((ref) => ref.available);
}

/** The resource's last broadcast, from its registry record so any node can rebuild it. */
function currentPresence(ref: SessionRef, to: string): Element {
  let presence = xml('presence');
  if (ref.presence !== undefined) {
    try {
      presence = buildElement(ref.presence);
    } catch {
      // Our own serialisation; should it not parse, plain available presence still tells the truth.
    }
  }
  presence.attrs.from = ref.jid;
  presence.attrs.to = to;
  return presence;
}

/** §3.3: unavailable presence to the newly blocked subscribers, let through the outbound filter. */
export async function sendUnavailableOnBlock(ctx: ModuleContext, own: OwnStanzas, account: Jid, added: readonly string[]): Promise<void> {
  const resources = await availableResources(ctx, account);
  if (resources.length === 0 || added.length === 0) return;
  for (const target of await subscribersMatching(ctx, account, added)) {
    for (const ref of resources) {
      const presence = xml('presence', { type: 'unavailable', from: ref.jid, to: target });
      own.add(presence);
      await ctx.router.route(presence);
    }
  }
}

/** §3.4: current presence to the unblocked subscribers that no remaining entry still blocks. */
export async function sendPresenceOnUnblock(ctx: ModuleContext, account: Jid, removed: readonly string[], remaining: Blocklist): Promise<void> {
  const resources = await availableResources(ctx, account);
  if (resources.length === 0 || removed.length === 0) return;
  for (const target of await subscribersMatching(ctx, account, removed)) {
    if (isBlocked(remaining, parseJid(target))) continue;
    for (const ref of resources) await ctx.router.route(currentPresence(ref, target));
  }
}
