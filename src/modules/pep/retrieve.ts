// XEP-0060 §6.5 retrieving items and §6.1/§6.2 explicit (un)subscription, by the owner or by
// anyone the node's access model lets in.
import { xml, type Element } from '../../xml/element.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { tryParseJid } from '../../protocol/jid.js';
import { readRsm, rsmPage } from '../../protocol/rsm.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { PubsubItem, PubsubNode } from '../../storage/types.js';
import { refusal, viewerOf } from './access.js';
import { NS_PUBSUB, pubsubError } from './errors.js';
import { eventMessage, eventOf, itemElement } from './notify.js';
import type { PepLimits } from './options.js';
import { requireNodeName } from './publish.js';
import type { PepRequest } from './request.js';

async function requireAccess(ctx: ModuleContext, request: PepRequest, node: PubsubNode): Promise<void> {
  if (request.isOwner) return;
  const refused = refusal(node.config, await viewerOf(ctx, request.owner, node.node, request.requesterBare));
  if (refused) throw refused;
}

function maxItemsOf(element: Element, limits: PepLimits): number {
  const raw = element.attrs.max_items as string | undefined;
  if (raw === undefined) return limits.maxItemsPerNode;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < 1) throw new StanzaError('bad-request', `max_items must be a positive integer, found '${raw}'`);
  return Math.min(Number(raw), limits.maxItemsPerNode);
}

/**
 * §6.5.2-§6.5.7; `pubsub` is the request's <pubsub/>, where a XEP-0059 <set/> beside <items/>
 * pages the result set (§6.5.4). The result set is the node's items oldest first, as they were
 * published and as they are answered without paging; `<before/>` (empty) pages from the newest.
 */
export async function retrieveItems(ctx: ModuleContext, limits: PepLimits, request: PepRequest, element: Element, pubsub: Element): Promise<Element> {
  const name = requireNodeName(element);
  const node = await request.node(name);
  await requireAccess(ctx, request, node);
  const ids = element.getChildren('item').map((i) => i.attrs.id as string | undefined);
  const rsm = readRsm(pubsub, limits.maxItemsPerNode);
  let items: PubsubItem[];
  let set: Element | null = null;
  if (ids.length > 0) {
    if (ids.some((id) => !id)) throw pubsubError('bad-request', 'item-required', "each requested <item/> needs an 'id'");
    items = await ctx.storage.pubsub.itemsById(request.owner, name, ids as string[]);
  } else {
    // Newest first from storage; answered oldest first, as they were published.
    items = (await ctx.storage.pubsub.items(request.owner, name, { max: maxItemsOf(element, limits) })).reverse();
    if (rsm) ({ items, set } = rsmPage(items, rsm, (item) => item.id, limits.maxItemsPerNode));
  }
  return xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: name }, ...items.map(itemElement)), set);
}

/** The 'jid' of a (un)subscribe request, which must be the requester's own (§6.1.3.1). */
function subscriberJid(request: PepRequest, element: Element): string {
  const raw = element.attrs.jid as string | undefined;
  if (!raw) throw pubsubError('bad-request', 'invalid-jid', `<${element.name}/> needs a 'jid' attribute`);
  const jid = tryParseJid(raw);
  if (!jid || jid.toBareString() !== request.requesterBare) {
    throw pubsubError('bad-request', 'invalid-jid', `you may only ${element.name} your own JID (${request.requesterBare} or one of its resources)`);
  }
  return jid.toString();
}

export async function subscribe(ctx: ModuleContext, request: PepRequest, element: Element): Promise<Element> {
  const name = requireNodeName(element);
  const jid = subscriberJid(request, element);
  const node = await request.node(name);
  await requireAccess(ctx, request, node);
  if (!(await ctx.storage.pubsub.subscribe(request.owner, name, jid))) throw new StanzaError('item-not-found', `no node '${name}' at ${request.owner}`);
  // §6.1.7: the last published item, on subscription.
  if (node.config.sendLastPublishedItem !== 'never') {
    const [last] = await ctx.storage.pubsub.items(request.owner, name, { max: 1 });
    if (last) await ctx.router.route(eventMessage(ctx, request.owner, jid, eventOf(name, itemElement(last)), last.publishedAt));
  }
  return xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscription', { node: name, jid, subscription: 'subscribed' }));
}

export async function unsubscribe(ctx: ModuleContext, request: PepRequest, element: Element): Promise<null> {
  const name = requireNodeName(element);
  const jid = subscriberJid(request, element);
  await request.node(name);
  if (!(await ctx.storage.pubsub.unsubscribe(request.owner, name, jid))) {
    throw pubsubError('unexpected-request', 'not-subscribed', `${jid} is not subscribed to '${name}'`);
  }
  return null;
}
