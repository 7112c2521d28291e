// XEP-0060 §8 owner use cases on the account's nodes: create, configure, delete, purge and
// affiliations. Only the account itself may do them.
import { xml, type Element } from '../../xml/element.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { tryParseJid } from '../../protocol/jid.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { PubsubAffiliation } from '../../storage/types.js';
import { FORM_NODE_CONFIG, NS_PUBSUB_EVENT, NS_PUBSUB_OWNER, pubsubError } from './errors.js';
import { applyFields, configForm, defaultNodeConfig, submittedFields } from './node-config.js';
import { broadcast } from './notify.js';
import type { PepLimits } from './options.js';
import { requireNodeName } from './publish.js';
import type { PepRequest } from './request.js';

const SETTABLE: readonly string[] = ['publisher', 'member', 'outcast', 'none'];

/** §8.1: create, optionally configured in the same request. */
export async function createNode(ctx: ModuleContext, limits: PepLimits, request: PepRequest, element: Element): Promise<null> {
  request.requireOwner('create');
  const name = element.attrs.node as string | undefined;
  // §8.1.2.3: PEP offers no instant nodes.
  if (!name) throw pubsubError('not-acceptable', 'nodeid-required', 'name the node to create');
  const fields = submittedFields(request.pubsub.getChild('configure'), FORM_NODE_CONFIG) ?? [];
  const config = applyFields(defaultNodeConfig(), fields, limits);
  const created = await ctx.storage.pubsub.createNode(request.owner, name, config, limits.maxNodesPerAccount);
  if (created === 'exists') throw new StanzaError('conflict', `node '${name}' already exists`);
  if (created === 'full') throw pubsubError('policy-violation', 'max-nodes-exceeded', `an account may have at most ${limits.maxNodesPerAccount} nodes; delete one first`);
  return null;
}

/** §8.2: the configuration form (get) or a submitted one (set). */
export async function configure(ctx: ModuleContext, limits: PepLimits, request: PepRequest, element: Element, type: 'get' | 'set'): Promise<Element | null> {
  request.requireOwner('configure');
  const name = requireNodeName(element);
  const node = await request.node(name);
  if (type === 'get') return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node: name }, configForm(node.config)));
  const fields = submittedFields(element, FORM_NODE_CONFIG);
  if (fields === undefined) throw new StanzaError('bad-request', 'submit a pubsub#node_config data form');
  const config = applyFields(node.config, fields, limits);
  if (!(await ctx.storage.pubsub.configureNode(request.owner, name, config))) throw new StanzaError('item-not-found', `no node '${name}' at ${request.owner}`);
  return null;
}

/** §8.4 delete and §8.5 purge, each announced to the node's audience (§8.4.2, §8.5.2). */
export async function deleteOrPurge(ctx: ModuleContext, request: PepRequest, element: Element): Promise<null> {
  request.requireOwner(element.name === 'delete' ? 'delete' : 'purge');
  const name = requireNodeName(element);
  const node = await request.node(name);
  const event = xml('event', { xmlns: NS_PUBSUB_EVENT }, xml(element.name, { node: name }));
  if (element.name === 'delete') {
    // Announced first: the subscriptions that say whom to tell go with the node.
    await broadcast(ctx, request.ownerJid, node, event);
    await ctx.storage.pubsub.deleteNode(request.owner, name);
  } else {
    await ctx.storage.pubsub.purge(request.owner, name);
    await broadcast(ctx, request.ownerJid, node, event);
  }
  return null;
}

/** §8.9: list or change who is affiliated with a node (the whitelist of access model whitelist). */
export async function affiliations(ctx: ModuleContext, request: PepRequest, element: Element, type: 'get' | 'set'): Promise<Element | null> {
  request.requireOwner('manage affiliations of');
  const name = requireNodeName(element);
  await request.node(name);
  if (type === 'get') {
    const listed = await ctx.storage.pubsub.affiliations(request.owner, name);
    const rows = [{ jid: request.owner, affiliation: 'owner' }, ...listed].map((a) => xml('affiliation', a));
    return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('affiliations', { node: name }, ...rows));
  }
  const changes = element.getChildren('affiliation').map((a) => {
    const jid = tryParseJid(a.attrs.jid as string | undefined);
    const affiliation = a.attrs.affiliation as string | undefined;
    if (!jid) throw new StanzaError('jid-malformed', `affiliation jid '${String(a.attrs.jid)}' is not a valid JID`);
    if (!affiliation || !SETTABLE.includes(affiliation)) {
      throw new StanzaError('not-acceptable', `affiliation must be one of ${SETTABLE.join(', ')} (a PEP node has one owner), found '${String(affiliation)}'`);
    }
    if (jid.toBareString() === request.owner) throw new StanzaError('not-acceptable', 'the owner’s own affiliation cannot change');
    return { jid: jid.toBareString(), affiliation: affiliation === 'none' ? undefined : (affiliation as PubsubAffiliation) };
  });
  for (const change of changes) await ctx.storage.pubsub.setAffiliation(request.owner, name, change.jid, change.affiliation);
  return null;
}
