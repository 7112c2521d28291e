// Presence a local session broadcasts (no 'to'): initial presence (RFC 6121 §4.2.2), updates
// (§4.4.2) and unavailable presence (§4.5.2), including the one owed when a session just ends.
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { parseJid } from '../../protocol/jid.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { takeDirectedTargets } from './directed.js';
import { recordLastUnavailable } from './last-unavailable.js';
import { presencePriority } from '../../protocol/presence-priority.js';
import { contactsWhere, hasFrom, hasTo } from './roster-view.js';
import { lastPresenceOf, readdressed } from './stanzas.js';

/** Handles a broadcast presence; false for types that are not broadcasts (left to others). */
export async function handleBroadcast(ctx: ModuleContext, session: LocalSession, stanza: Element): Promise<boolean> {
  const type = stanza.attrs.type;
  if (type === undefined) await becomeAvailable(ctx, session, stanza);
  else if (type === 'unavailable') await becomeUnavailable(ctx, session, stanza);
  else return false;
  return true;
}

/** §4.5.2: a session that ends without saying so is treated as if it had sent unavailable. */
export async function sessionEnded(ctx: ModuleContext, session: LocalSession): Promise<void> {
  await becomeUnavailable(ctx, session, xml('presence', { type: 'unavailable', from: session.jid.toString() }));
}

/**
 * §4.5.2 for a session whose node died: its contacts and the account's other resources learn it
 * left, as they would have from its own node. (Its directed-presence targets died with it.)
 */
export async function sessionLost(ctx: ModuleContext, ref: Readonly<SessionRef>): Promise<void> {
  if (!ref.available) return;
  const full = ref.jid;
  const account = parseJid(full).bare;
  const stanza = xml('presence', { type: 'unavailable', from: full });
  await recordLastUnavailable(ctx, account, stanza);
  const { items } = await ctx.storage.roster.get(account.toBareString());
  for (const contact of contactsWhere(items, account, hasFrom)) await ctx.router.route(readdressed(stanza, full, contact));
  for (const other of await ctx.sessions.byBareJid(account.toBareString())) {
    if (other.available && other.id !== ref.id) await ctx.delivery.toSession(other, readdressed(stanza, full, other.jid));
  }
}

async function becomeAvailable(ctx: ModuleContext, session: LocalSession, stanza: Element): Promise<void> {
  // §4.5.2: available presence after unavailable (or first of all) is initial presence again.
  const initial = !session.available;
  const presence = cloneElement(stanza);
  session.available = true;
  session.priority = presencePriority(presence);
  session.presence = presence;
  await ctx.sessions.update(session.ref());

  const account = session.jid.bare;
  const { items } = await ctx.storage.roster.get(account.toBareString());
  if (initial) {
    // §4.2.2 / §4.3.1: probes go from the bare JID, since subscriptions are between bare JIDs.
    for (const contact of contactsWhere(items, account, hasTo)) {
      await ctx.router.route(xml('presence', { type: 'probe', id: ctx.ids.next(), from: account.toBareString(), to: contact }));
    }
  }
  const full = session.jid.toString();
  for (const contact of contactsWhere(items, account, hasFrom)) await ctx.router.route(readdressed(presence, full, contact));
  await toOwnResources(ctx, session, presence);
  if (initial) await fromOwnResources(ctx, session);
}

async function becomeUnavailable(ctx: ModuleContext, session: LocalSession, stanza: Element): Promise<void> {
  const wasAvailable = session.available;
  const full = session.jid.toString();
  // §4.6.2: entities that got directed presence learn of the end too, whether or not the session
  // was ever available; sending this clears them, so they are not told twice.
  for (const target of takeDirectedTargets(session)) await ctx.router.route(readdressed(stanza, full, target));
  // Contacts never saw a session that was not available, so they are not told it left.
  if (!wasAvailable) return;

  session.available = false;
  session.presence = undefined;
  await ctx.sessions.update(session.ref());
  await recordLastUnavailable(ctx, session.jid.bare, stanza);

  const account = session.jid.bare;
  const { items } = await ctx.storage.roster.get(account.toBareString());
  for (const contact of contactsWhere(items, account, hasFrom)) await ctx.router.route(readdressed(stanza, full, contact));
  await toOwnResources(ctx, session, stanza);
}

/** §4.2.2 / §4.4.2 / §4.5.2: to every available resource of the user, the sender included. */
async function toOwnResources(ctx: ModuleContext, session: LocalSession, presence: Element): Promise<void> {
  const full = session.jid.toString();
  for (const ref of await ctx.sessions.byBareJid(session.jid.toBareString())) {
    if (!ref.available && ref.id !== session.id) continue;
    await ctx.delivery.toSession(ref, readdressed(presence, full, ref.jid));
  }
}

/**
 * §4.2.2: an entity is implicitly subscribed to its own presence, so a newly available resource
 * learns the current presence of the account's other available resources, as probes give it that
 * of its contacts (Prosody and ejabberd do the same).
 */
async function fromOwnResources(ctx: ModuleContext, session: LocalSession): Promise<void> {
  const to = session.jid.toString();
  for (const ref of await ctx.sessions.byBareJid(session.jid.toBareString())) {
    if (!ref.available || ref.id === session.id) continue;
    if (!(await session.whenWritable())) return;
    await ctx.delivery.toSession(session.ref(), readdressed(lastPresenceOf(ref), ref.jid, to));
  }
}
