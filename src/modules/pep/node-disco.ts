// XEP-0060 §5.3/§5.4 as XEP-0163 §8 has PEP use them: disco#info on one of an account's nodes
// gives the pubsub/leaf identity and the node's meta-data form; disco#items on the account lists
// the nodes, and on a node its items. Both show only nodes the requester may retrieve from, so no node's existence leaks.
import type { DiscoInfoEvent, DiscoItemsEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { resultForm } from '../../protocol/data-form.js';
import type { PubsubNode } from '../../storage/types.js';
import { buildElement } from '../../xml/element-builder.js';
import { refusal, viewerOf } from './access.js';
import { NS_PUBSUB } from './errors.js';

const NS_META_DATA = 'http://jabber.org/protocol/pubsub#meta-data';

async function mayDiscover(ctx: ModuleContext, owner: string, node: PubsubNode, requester: string): Promise<boolean> {
  return requester === owner || !refusal(node.config, await viewerOf(ctx, owner, node.node, requester));
}

/** §5.4: the meta-data form; pubsub#type is the namespace of the newest item's payload. */
async function metaData(ctx: ModuleContext, owner: string, node: PubsubNode): Promise<ReturnType<typeof resultForm>> {
  const [newest] = await ctx.storage.pubsub.items(owner, node.node, { max: 1 });
  const payloadNs = newest && newest.payload !== '' ? buildElement(newest.payload).attrs.xmlns : undefined;
  return resultForm(NS_META_DATA, [
    ...(node.config.title === undefined ? [] : [{ var: 'pubsub#title', values: [node.config.title] }]),
    ...(payloadNs === undefined ? [] : [{ var: 'pubsub#type', values: [payloadNs] }]),
    { var: 'pubsub#owner', type: 'jid-multi', values: [owner] },
    { var: 'pubsub#access_model', type: 'list-single', values: [node.config.accessModel] },
    { var: 'pubsub#max_items', values: [String(node.config.maxItems)] },
  ]);
}

/** disco#info with a node, on an account: answers for an existing node the requester may see. */
export async function describeNode(ctx: ModuleContext, event: DiscoInfoEvent): Promise<void> {
  if (event.target !== 'account' || event.node === undefined) return;
  const owner = event.jid.toBareString();
  const node = await ctx.storage.pubsub.getNode(owner, event.node);
  // Left undescribed, the disco module answers item-not-found (XEP-0030 §3.2).
  if (!node || !(await mayDiscover(ctx, owner, node, event.requester.toBareString()))) return;
  event.identities.push({ category: 'pubsub', type: 'leaf' });
  event.features.add(NS_PUBSUB);
  event.extensions.push(await metaData(ctx, owner, node));
}

/**
 * §5.2 / XEP-0163 §8 note: the account's nodes the requester may subscribe to or retrieve from;
 * with a node, §5.5: its items (ids as names). True when it claimed a node query.
 */
export async function listNodes(ctx: ModuleContext, event: DiscoItemsEvent): Promise<boolean> {
  if (event.target !== 'account') return false;
  const owner = event.jid.toBareString();
  const requester = event.requester.toBareString();
  if (event.node !== undefined) {
    const node = await ctx.storage.pubsub.getNode(owner, event.node);
    if (!node || !(await mayDiscover(ctx, owner, node, requester))) return false;
    for (const item of (await ctx.storage.pubsub.items(owner, node.node)).reverse()) event.items.push({ jid: owner, name: item.id });
    return true;
  }
  for (const node of await ctx.storage.pubsub.listNodes(owner)) {
    if (await mayDiscover(ctx, owner, node, requester)) event.items.push({ jid: owner, node: node.node });
  }
  return false;
}
