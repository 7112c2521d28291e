// One pubsub request to an account's PEP service: who owns the service, who asks, and the checks
// every operation starts with.
import type { Element } from '../../xml/element.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import type { PubsubNode } from '../../storage/types.js';

export interface PepRequest {
  /** The account's bare JID (the PEP service), as a string and parsed. */
  owner: string;
  ownerJid: Jid;
  /** Who sent the request (full JID when it came from a client). */
  requester: Jid;
  requesterBare: string;
  isOwner: boolean;
  /** The <pubsub/> element of either namespace. */
  pubsub: Element;
  /** Forbidden for anyone but the owner (XEP-0163 §1: only the account publishes and configures). */
  requireOwner(what: string): void;
  /** The node, or item-not-found (XEP-0060 §6.5.9.11 and the like). */
  node(name: string): Promise<PubsubNode>;
}

export function pepRequest(ctx: ModuleContext, iq: IqRequest): PepRequest {
  const ownerJid = iq.to.bare;
  const owner = ownerJid.toString();
  const requesterBare = iq.from.toBareString();
  const isOwner = requesterBare === owner;
  return {
    owner,
    ownerJid,
    requester: iq.from,
    requesterBare,
    isOwner,
    pubsub: iq.payload,
    requireOwner(what) {
      if (!isOwner) throw new StanzaError('forbidden', `only ${owner} may ${what} its nodes`);
    },
    async node(name) {
      const node = await ctx.storage.pubsub.getNode(owner, name);
      if (!node) throw new StanzaError('item-not-found', `no node '${name}' at ${owner}`);
      return node;
    },
  };
}
