// The RemoteRoute for the router: one OutboundLink per (local domain, remote domain), created on
// demand and forgotten when it closes, so the next stanza opens a fresh one.
import type { Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import type { RemoteRoute } from '../core/router.js';
import { OutboundLink } from './outbound-link.js';
import type { S2sContext } from './s2s-context.js';

export interface LinkManager extends RemoteRoute {
  /** The links open or opening now. */
  list(): OutboundLink[];
  closeAll(): void;
}

export function createLinkManager(getContext: () => S2sContext): LinkManager {
  const links = new Map<string, OutboundLink>();
  return {
    async send(stanza: Element, from: Jid, to: Jid) {
      const ctx = getContext();
      // Only our own domains can be authenticated to a peer; relaying for others is not allowed.
      if (!ctx.hosts.has(from.domain)) {
        ctx.log.warn({ from: from.toString(), to: to.toString() }, 'not relaying a stanza from a domain not served here');
        return;
      }
      const key = `${from.domain} ${to.domain}`;
      let link = links.get(key);
      if (!link || link.closed) {
        link = new OutboundLink(ctx, from.domain, to.domain, (closed) => {
          if (links.get(key) === closed) links.delete(key);
        });
        if (!link.closed) links.set(key, link);
      }
      link.send(stanza);
    },
    list() {
      return [...links.values()];
    },
    closeAll() {
      for (const link of [...links.values()]) link.close();
      links.clear();
    },
  };
}
