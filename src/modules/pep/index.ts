// XEP-0163 Personal Eventing Protocol: every account is a publish-subscribe service (the XEP-0060
// subset clients use) at its bare JID. Everything it handles and stores is listed here:
//   storage  ctx.storage.pubsub (nodes, items, affiliations, subscriptions; src/storage/*/pubsub.ts)
//            ctx.storage.roster (read: who may see a node), caps through the `caps/query` event
//   IQ       pubsub get/set and pubsub#owner get/set to the account (below)
//   events   disco/info + disco/items (account), pre-presence/bare (initial presence: last items),
//            caps/known (caps learnt after initial presence: last items), caps/remote-known (a
//            contact's resource on another server online: last items), caps/remote-resources
// Details: publish.ts, retrieve.ts, owner.ts (XEP-0060 use cases), node-config.ts (forms),
// node-disco.ts (disco#info on a node, disco#items on the account),
// access.ts (access models), notify.ts + last-items.ts (notifications), options.ts (limits).
import { PRE_PRESENCE_BARE } from '../../core/events.js';
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_PUBSUB, NS_PUBSUB_OWNER, unsupported } from './errors.js';
import { createLastItems } from './last-items.js';
import { describeNode, listNodes } from './node-disco.js';
import { configForm, defaultNodeConfig } from './node-config.js';
import { readPepLimits, type PepLimits } from './options.js';
import { affiliations, configure, createNode, deleteOrPurge } from './owner.js';
import { publish, retract } from './publish.js';
import { pepRequest } from './request.js';
import { retrieveItems, subscribe, unsubscribe } from './retrieve.js';

/** XEP-0060 §10 features, as XEP-0163 §8 has a PEP service list them (Conversations, Gajim, Dino and Monal check these). */
export const PEP_FEATURES = [
  'publish',
  'publish-options',
  'persistent-items',
  'auto-create',
  'filtered-notifications',
  'retrieve-items',
  'retract-items',
  'delete-items',
  'delete-nodes',
  'create-nodes',
  'subscribe',
  'config-node',
  'config-node-max',
  'access-open',
  'access-presence',
  'access-roster',
  'access-whitelist',
  'last-published',
  'purge-nodes',
  'modify-affiliations',
  'retrieve-default',
  // Client-chosen item ids and several items per node (Monal reads these two as "modern PEP", for XEP-0402).
  'item-ids',
  'multi-items',
].map((feature) => `${NS_PUBSUB}#${feature}`);

/** Answers one pubsub IQ: the first child names the use case. */
async function dispatch(ctx: ModuleContext, limits: PepLimits, iq: IqRequest, type: 'get' | 'set'): Promise<Element | null> {
  const request = pepRequest(ctx, iq);
  // RFC 6121 §8.5.1: an account that does not exist answers like an unsupported request.
  if (!request.isOwner && !(await ctx.accounts.exists(request.ownerJid))) throw new StanzaError('service-unavailable');
  // The operation comes first; a XEP-0059 <set/> may follow it (§6.5.4).
  const operation = iq.payload.getChildElements()[0];
  if (!operation) throw new StanzaError('bad-request', 'the <pubsub/> element names no operation');
  const owner = iq.payload.attrs.xmlns === NS_PUBSUB_OWNER;
  switch (`${owner ? 'owner' : 'pubsub'} ${type} ${operation.name}`) {
    case 'pubsub get items':
      return retrieveItems(ctx, limits, request, operation, iq.payload);
    case 'pubsub set publish':
      return publish(ctx, limits, request, operation);
    case 'pubsub set retract':
      return retract(ctx, request, operation);
    case 'pubsub set subscribe':
      return subscribe(ctx, request, operation);
    case 'pubsub set unsubscribe':
      return unsubscribe(ctx, request, operation);
    case 'pubsub set create':
      return createNode(ctx, limits, request, operation);
    case 'owner get configure':
    case 'owner set configure':
      return configure(ctx, limits, request, operation, type);
    case 'owner set delete':
    case 'owner set purge':
      return deleteOrPurge(ctx, request, operation);
    case 'owner get affiliations':
    case 'owner set affiliations':
      return affiliations(ctx, request, operation, type);
    case 'owner get default':
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('default', null, configForm(defaultNodeConfig())));
    default:
      // XEP-0060 §4.6: name what is missing so a client can fall back.
      throw unsupported(FEATURE_OF[operation.name] ?? operation.name, `'${operation.name}' (${type}) is not offered by this PEP service`);
  }
}

/** The §10 feature of the use cases not offered, for <unsupported feature='…'/>. */
const FEATURE_OF: Readonly<Record<string, string>> = {
  subscriptions: 'retrieve-subscriptions',
  affiliations: 'retrieve-affiliations',
  options: 'subscription-options',
};

export const pepModule: HeraldModule = {
  name: 'pep',
  enabledByDefault: true,

  load(ctx) {
    const limits = readPepLimits(ctx);
    const lastItems = createLastItems(ctx);

    for (const xmlns of [NS_PUBSUB, NS_PUBSUB_OWNER]) {
      for (const type of ['get', 'set'] as const) {
        ctx.handleIq({ target: 'account', type, xmlns, name: 'pubsub', handler: (iq) => dispatch(ctx, limits, iq, type) });
      }
    }

    // XEP-0163 §8: what a client finds asking its own bare JID; XEP-0359 stanza-ids are stamped by the message module.
    ctx.on('disco/info', (event) => {
      if (event.target !== 'account' || event.node !== undefined) return;
      event.identities.push({ category: 'pubsub', type: 'pep' });
      for (const feature of PEP_FEATURES) event.features.add(feature);
      event.features.add(NS.stanzaId);
      // XEP-0059 paging of items (XEP-0060 §6.5.4).
      event.features.add(NS.rsm);
    });

    ctx.on('disco/info', (event) => describeNode(ctx, event));
    ctx.on('disco/items', (event) => listNodes(ctx, event));

    ctx.on(
      'pre-presence/bare',
      ({ origin, stanza }) => {
        if (!origin || stanza.attrs.to !== undefined) return false;
        const type = stanza.attrs.type;
        // Initial presence: available after unavailable (the presence module marks it available after us).
        if (type === undefined && !origin.available) lastItems.available(origin);
        else if (type === 'unavailable') lastItems.unavailable(origin);
        return false;
      },
      PRE_PRESENCE_BARE.pepLastItems,
    );

    ctx.on('caps/known', ({ session }) => {
      if (session.available) lastItems.capsKnown(session);
      return false;
    });

    ctx.on('caps/remote-known', async ({ account, jid }) => {
      await lastItems.remoteKnown(account, jid);
      return false;
    });
  },
};
