// Component domains served in process (XEP-0363 upload.<domain>, later MUC): the router hands
// every stanza addressed to one (or to a JID at it) to the module that registered it. They are
// not hosted domains: no accounts, no client streams, none of the hosted-domain events.
import type { StanzaEvent } from './events.js';

export type ComponentHandler = (event: StanzaEvent) => Promise<void> | void;

export interface Components {
  /** Serves `domain`; returns the removal. A domain taken twice is a configuration error. */
  add(domain: string, handler: ComponentHandler): () => void;
  find(domain: string): ComponentHandler | undefined;
}

export function createComponents(): Components {
  const byDomain = new Map<string, ComponentHandler>();
  return {
    add(domain, handler) {
      if (byDomain.has(domain)) throw new Error(`component domain ${domain} is served twice`);
      byDomain.set(domain, handler);
      return () => void byDomain.delete(domain);
    },
    find: (domain) => byDomain.get(domain),
  };
}
