import type { DomainConfig } from '../config/types.js';

/** The domains this server serves (virtual hosts). */
export interface Hosts {
  has(domain: string): boolean;
  get(domain: string): DomainConfig | undefined;
  names(): string[];
}

export function createHosts(domains: readonly DomainConfig[]): Hosts {
  const byName = new Map(domains.map((d) => [d.name, d]));
  return {
    has: (domain) => byName.has(domain),
    get: (domain) => byName.get(domain),
    names: () => [...byName.keys()],
  };
}
