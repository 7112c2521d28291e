// XEP-0060 §4.5 access models for an account's nodes (XEP-0163 §4: presence by default), with the
// errors XEP-0060 §6.1.3 and §6.5.9 give when access is refused.
import type { StanzaError } from '../../protocol/stanza-error.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { PubsubAffiliation, PubsubNodeConfig, RosterItem } from '../../storage/types.js';
import { pubsubError } from './errors.js';

/** What decides whether one contact may see a node's items. */
export interface Viewer {
  /** The owner's roster item for the viewer, if any. */
  rosterItem: RosterItem | undefined;
  affiliation: PubsubAffiliation | undefined;
}

/**
 * Why the viewer may not retrieve or subscribe, or undefined when it may. The owner is never
 * asked about here: it always has access.
 */
export function refusal(config: PubsubNodeConfig, viewer: Viewer): StanzaError | undefined {
  if (viewer.affiliation === 'outcast') return pubsubError('forbidden', 'closed-node', 'the owner has blocked you from this node');
  const sharesPresence = viewer.rosterItem?.subscription === 'from' || viewer.rosterItem?.subscription === 'both';
  switch (config.accessModel) {
    case 'open':
      return undefined;
    case 'presence':
      return sharesPresence ? undefined : pubsubError('not-authorized', 'presence-subscription-required', 'this node is shown to contacts subscribed to the owner’s presence');
    case 'roster': {
      const groups = new Set(viewer.rosterItem?.groups ?? []);
      const inGroup = sharesPresence && config.rosterGroups.some((g) => groups.has(g));
      return inGroup ? undefined : pubsubError('not-authorized', 'not-in-roster-group', 'this node is shown to contacts in some of the owner’s roster groups');
    }
    case 'whitelist': {
      const listed = viewer.affiliation === 'owner' || viewer.affiliation === 'publisher' || viewer.affiliation === 'member';
      return listed ? undefined : pubsubError('not-allowed', 'closed-node', 'this node is shown only to JIDs the owner listed');
    }
  }
}

/** Loads what `refusal` needs about one requester (bare JID string) of the owner's node. */
export async function viewerOf(ctx: ModuleContext, owner: string, node: string, requester: string): Promise<Viewer> {
  const [rosterItem, affiliations] = await Promise.all([ctx.storage.roster.getItem(owner, requester), ctx.storage.pubsub.affiliations(owner, node)]);
  return { rosterItem, affiliation: affiliations.find((a) => a.jid === requester)?.affiliation };
}
