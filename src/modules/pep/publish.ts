// XEP-0060 §7.1 publish (with XEP-0163 auto-create and §7.1.5 publish-options preconditions)
// and §7.2 retract, on the account's own nodes.
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { PubsubNode } from '../../storage/types.js';
import { FORM_PUBLISH_OPTIONS, NS_PUBSUB, pubsubError } from './errors.js';
import { applyFields, defaultNodeConfig, itemsKept, submittedFields, unmetPreconditions, type SubmittedField } from './node-config.js';
import { broadcast, eventOf, itemElement } from './notify.js';
import type { PepLimits } from './options.js';
import type { PepRequest } from './request.js';

export function requireNodeName(element: Element): string {
  const node = element.attrs.node as string | undefined;
  if (!node) throw pubsubError('bad-request', 'nodeid-required', `<${element.name}/> needs a 'node' attribute`);
  return node;
}

/** The one payload of a published item, with its namespace declared so it can be stored alone. */
function payloadOf(item: Element, limits: PepLimits): string {
  const payloads = item.getChildElements();
  if (payloads.length === 0) throw pubsubError('bad-request', 'payload-required', 'the item needs a payload element');
  if (payloads.length > 1) throw pubsubError('bad-request', 'invalid-payload', `an item carries exactly one payload element, found ${payloads.length}`);
  // A copy: the stanza is shared with other handlers and must not change.
  const payload = cloneElement(payloads[0]!);
  if (payload.attrs.xmlns === undefined) payload.attrs.xmlns = payload.getNS();
  const text = payload.toString();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxItemBytes) {
    throw pubsubError('not-acceptable', 'payload-too-big', `the item is ${bytes} bytes; this server keeps items of at most ${limits.maxItemBytes} bytes`);
  }
  return text;
}

/** The node to publish to: existing and meeting the preconditions, or created with them (§7.1.5). */
async function targetNode(ctx: ModuleContext, limits: PepLimits, owner: string, name: string, fields: SubmittedField[]): Promise<PubsubNode> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await ctx.storage.pubsub.getNode(owner, name);
    if (existing) {
      const unmet = unmetPreconditions(existing.config, fields, limits);
      if (unmet.length > 0) {
        throw pubsubError('conflict', 'precondition-not-met', `the node's configuration differs from the publish-options in ${unmet.join(', ')}; reconfigure the node or publish without them`);
      }
      return existing;
    }
    const config = applyFields(defaultNodeConfig(), fields, limits);
    const created = await ctx.storage.pubsub.createNode(owner, name, config, limits.maxNodesPerAccount);
    if (created === 'created') return { node: name, config };
    if (created === 'full') {
      throw pubsubError('policy-violation', 'max-nodes-exceeded', `an account may have at most ${limits.maxNodesPerAccount} nodes; delete one first`);
    }
    // 'exists': created meanwhile by another session; check it like any existing node.
  }
  throw new StanzaError('internal-server-error', 'the node changed while publishing; try again');
}

export async function publish(ctx: ModuleContext, limits: PepLimits, request: PepRequest, element: Element): Promise<Element> {
  request.requireOwner('publish to');
  const name = requireNodeName(element);
  const items = element.getChildren('item');
  if (items.length === 0) throw pubsubError('bad-request', 'item-required', 'PEP nodes persist items: publish one <item/>');
  if (items.length > 1) throw pubsubError('bad-request', 'invalid-payload', `publish one item at a time, found ${items.length}`);
  const item = items[0]!;
  const payload = payloadOf(item, limits);
  const fields = submittedFields(request.pubsub.getChild('publish-options'), FORM_PUBLISH_OPTIONS) ?? [];
  const node = await targetNode(ctx, limits, request.owner, name, fields);
  const id = (item.attrs.id as string | undefined) || ctx.ids.next();
  const stored = { id, payload, publisher: request.owner, publishedAt: ctx.clock.now() };
  const result = await ctx.storage.pubsub.publish(request.owner, name, stored, { keep: itemsKept(node.config), maxOwnerBytes: limits.maxBytesPerAccount });
  if (result === 'no-node') throw new StanzaError('item-not-found', 'the node was deleted while publishing');
  if (result === 'owner-full') {
    throw new StanzaError('policy-violation', `this account's published items may take at most ${limits.maxBytesPerAccount} bytes in all; retract or purge some first`);
  }
  await broadcast(ctx, request.ownerJid, node, eventOf(name, itemElement({ ...stored, seq: 0 })));
  await ctx.fire('pep/changed', { owner: request.ownerJid, node: name, requester: request.requester });
  return xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node: name }, xml('item', { id })));
}

export async function retract(ctx: ModuleContext, request: PepRequest, element: Element): Promise<null> {
  request.requireOwner('retract items of');
  const name = requireNodeName(element);
  const id = element.getChild('item')?.attrs.id as string | undefined;
  if (!id) throw pubsubError('bad-request', 'item-required', "<retract/> needs an <item/> with an 'id'");
  const node = await request.node(name);
  if (!(await ctx.storage.pubsub.retract(request.owner, name, id))) throw new StanzaError('item-not-found', `no item '${id}' in node '${name}'`);
  const notify = element.attrs.notify === 'true' || element.attrs.notify === '1' || node.config.notifyRetract;
  if (notify) await broadcast(ctx, request.ownerJid, node, eventOf(name, xml('retract', { id })));
  await ctx.fire('pep/changed', { owner: request.ownerJid, node: name, requester: request.requester });
  return null;
}
