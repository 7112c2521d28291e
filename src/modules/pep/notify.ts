// XEP-0163 §4.3 notifications: who gets an event of an account's node, and the headline message
// carrying it. Recipients are the owner's own resources and the resources of contacts allowed by
// the node's access model, each only when its XEP-0115 caps include `<node>+notify` (§4.3.1,
// XEP-0060 §9.2 filtered notifications), plus explicit subscribers (XEP-0060 §6.1). Contacts on
// other servers are reached at the resources whose presence (and caps) reached the owner.
import { deliverForAccount } from '../../core/modules/deliver-for-account.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import type { CapsQueryEvent, RemoteResourcesEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { PubsubItem, PubsubNode } from '../../storage/types.js';
import { refusal } from './access.js';
import { NS_PUBSUB_EVENT } from './errors.js';
import { buildElement } from '../../xml/element-builder.js';


/** The <item/> of a notification or a retrieval answer, payload included. */
export function itemElement(item: PubsubItem): Element {
  return xml('item', { id: item.id, publisher: item.publisher }, item.payload === '' ? null : buildElement(item.payload));
}

/** §4.3.2: a headline from the owner's bare JID carrying the <event/>. */
export function eventMessage(ctx: ModuleContext, owner: string, to: string, event: Element, delayedSince?: number): Element {
  return xml(
    'message',
    { from: owner, to, type: 'headline', id: ctx.ids.next() },
    event,
    delayedSince === undefined ? null : xml('delay', { xmlns: NS.delay, from: owner, stamp: new Date(delayedSince).toISOString() }),
  );
}

export function eventOf(node: string, ...children: Element[]): Element {
  return xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('items', { node }, ...children));
}

/** XEP-0115 via the caps module: true/false, or undefined when the client's caps are not known (yet). */
export async function wantsNotify(ctx: ModuleContext, jid: string, node: string, account?: Jid): Promise<boolean | undefined> {
  const parsed = tryParseJid(jid);
  if (!parsed) return false;
  // For a JID on another server, caps are known as seen by the account it sends presence to.
  const query: CapsQueryEvent = { jid: parsed, feature: `${node}+notify`, ...(account ? { account } : {}) };
  await ctx.fire('caps/query', query);
  return query.supported;
}

/** Available resources of a local account whose caps ask for this node. */
async function interestedSessions(ctx: ModuleContext, account: string, node: string): Promise<SessionRef[]> {
  const wanting: SessionRef[] = [];
  for (const ref of await ctx.sessions.byBareJid(account)) {
    if (ref.available && (await wantsNotify(ctx, ref.jid, node)) === true) wanting.push(ref);
  }
  return wanting;
}

/** Resources of a contact on another server whose presence reached the owner and whose caps ask for this node. */
async function interestedRemoteResources(ctx: ModuleContext, owner: Jid, contact: Jid, node: string): Promise<string[]> {
  const event: RemoteResourcesEvent = { account: owner, contact, resources: [] };
  await ctx.fire('caps/remote-resources', event);
  const wanting: string[] = [];
  for (const jid of event.resources) if ((await wantsNotify(ctx, jid, node, owner)) === true) wanting.push(jid);
  return wanting;
}

/**
 * Sends `event` to everyone who should see it. Local sessions are written through
 * ctx.delivery.toSession (deliverForAccount, so `stanza/outbound` may veto), which waits for a
 * congested one, so a large fan-out is paced.
 */
export async function broadcast(ctx: ModuleContext, owner: Jid, node: PubsubNode, event: Element): Promise<number> {
  const ownerBare = owner.toBareString();
  const sent = new Set<string>();
  const toSession = async (ref: SessionRef): Promise<void> => {
    if (sent.has(ref.jid)) return;
    sent.add(ref.jid);
    await deliverForAccount(ctx, ref, eventMessage(ctx, ownerBare, ref.jid, event));
  };

  for (const ref of await interestedSessions(ctx, ownerBare, node.node)) await toSession(ref);

  const affiliations = await ctx.storage.pubsub.affiliations(ownerBare, node.node);
  const affiliationOf = (jid: string) => affiliations.find((a) => a.jid === jid)?.affiliation;
  const { items: contacts } = await ctx.storage.roster.get(ownerBare);
  for (const item of contacts) {
    if (item.subscription !== 'from' && item.subscription !== 'both') continue;
    if (refusal(node.config, { rosterItem: item, affiliation: affiliationOf(item.jid) })) continue;
    const contact = tryParseJid(item.jid);
    if (!contact) continue;
    if (ctx.hosts.has(contact.domain)) {
      for (const ref of await interestedSessions(ctx, item.jid, node.node)) await toSession(ref);
      continue;
    }
    // §4.3.1 for a contact on another server: its resources' caps, learnt from their presence.
    for (const jid of await interestedRemoteResources(ctx, owner.bare, contact, node.node)) {
      if (sent.has(jid)) continue;
      sent.add(jid);
      await ctx.router.route(eventMessage(ctx, ownerBare, jid, event));
    }
  }

  for (const subscriber of await ctx.storage.pubsub.subscribers(ownerBare, node.node)) {
    const jid = tryParseJid(subscriber);
    if (!jid || sent.has(subscriber)) continue;
    const bare = jid.toBareString();
    if (bare !== ownerBare) {
      const rosterItem = contacts.find((c) => c.jid === bare);
      if (refusal(node.config, { rosterItem, affiliation: affiliationOf(bare) })) continue;
    }
    // XEP-0163 §4.3.2 rules 2-4: a full JID gets one; a bare JID once, unless its interested
    // resources were already reached above.
    if (jid.isBare && [...sent].some((s) => s.startsWith(`${bare}/`))) continue;
    sent.add(subscriber);
    await ctx.router.route(eventMessage(ctx, ownerBare, subscriber, event));
  }
  return sent.size;
}
