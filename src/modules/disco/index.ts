// XEP-0030 Service Discovery for the server itself and, on their behalf, for hosted accounts.
// disco#info is assembled from the `disco/info` event so each module advertises its own
// identities and features without the modules knowing each other.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { DiscoInfoEvent, DiscoItemsEvent } from '../../core/events.js';
import type { HeraldModule } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';

/** Identities deduplicated, features deduplicated and sorted, so answers are stable. */
function discoInfoQuery(event: DiscoInfoEvent): Element {
  const identities = new Map<string, Element>();
  for (const { category, type, name } of event.identities) {
    identities.set(JSON.stringify([category, type, name ?? null]), xml('identity', { category, type, name }));
  }
  const features = [...event.features].sort().map((v) => xml('feature', { var: v }));
  return xml('query', { xmlns: NS.discoInfo, node: event.node }, ...identities.values(), ...features, ...event.extensions);
}

export const discoModule: HeraldModule = {
  name: 'disco',
  enabledByDefault: true,

  load(ctx) {
    // The basics every server and every account has; nodes are left to the modules that own them.
    ctx.on('disco/info', (event) => {
      if (event.node !== undefined) return;
      if (event.target === 'host') event.identities.push({ category: 'server', type: 'im' });
      else event.identities.push({ category: 'account', type: 'registered' });
      event.features.add(NS.discoInfo);
      event.features.add(NS.discoItems);
    });

    // RFC 6121 §8.5.1: an IQ to an account that does not exist gets service-unavailable. XEP-0030
    // §3.1 would prefer item-not-found but yields to the RFC's privacy rules, and this way an
    // unknown account answers exactly like an unsupported request to an existing one.
    async function requireAccount(request: IqRequest): Promise<void> {
      if (!(await ctx.accounts.exists(request.to.bare))) throw new StanzaError('service-unavailable');
    }

    async function info(target: DiscoInfoEvent['target'], request: IqRequest): Promise<Element> {
      const node = request.payload.attrs.node as string | undefined;
      const event: DiscoInfoEvent = { target, domain: request.to.domain, jid: request.to, requester: request.from, node, identities: [], features: new Set(), extensions: [] };
      await ctx.fire('disco/info', event);
      // XEP-0030 §3.2: a node nobody described does not exist.
      if (event.identities.length === 0 && event.features.size === 0) throw new StanzaError('item-not-found');
      return discoInfoQuery(event);
    }

    // XEP-0030 §4.1: items come from the modules (e.g. an account's PEP nodes); a node nobody
    // claimed does not exist.
    async function items(target: DiscoItemsEvent['target'], request: IqRequest): Promise<Element> {
      const node = request.payload.attrs.node as string | undefined;
      const event: DiscoItemsEvent = { target, jid: request.to, requester: request.from, node, items: [] };
      const claimed = await ctx.fire('disco/items', event);
      if (node !== undefined && !claimed) throw new StanzaError('item-not-found');
      return xml('query', { xmlns: NS.discoItems, node }, ...event.items.map((item) => xml('item', item)));
    }

    ctx.handleIq({ target: 'host', type: 'get', xmlns: NS.discoInfo, name: 'query', handler: (request) => info('host', request) });
    ctx.handleIq({ target: 'host', type: 'get', xmlns: NS.discoItems, name: 'query', handler: (request) => items('host', request) });
    ctx.handleIq({
      target: 'account',
      type: 'get',
      xmlns: NS.discoInfo,
      name: 'query',
      handler: async (request) => {
        await requireAccount(request);
        return info('account', request);
      },
    });
    ctx.handleIq({
      target: 'account',
      type: 'get',
      xmlns: NS.discoItems,
      name: 'query',
      handler: async (request) => {
        await requireAccount(request);
        return items('account', request);
      },
    });
  },
};
