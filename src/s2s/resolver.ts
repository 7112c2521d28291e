// Where a remote domain's server listens: a static route, else DNS (RFC 6120 §3.2.1: SRV
// `_xmpp-server._tcp`, else the domain's own A/AAAA on 5269). Behind an interface so tests never
// touch real DNS. Failures carry a text naming the record that was missing.
import { promises as dns } from 'node:dns';
import { domainToASCII } from 'node:url';

export interface Target {
  host: string;
  port: number;
}

export type Resolution = { ok: true; targets: Target[] } | { ok: false; reason: string };

export interface S2sResolver {
  resolve(domain: string): Promise<Resolution>;
}

export const DEFAULT_S2S_PORT = 5269;

export function createStaticResolver(routes: Readonly<Record<string, Target>>, fallback?: S2sResolver): S2sResolver {
  return {
    async resolve(domain) {
      const route = routes[domain];
      if (route) return { ok: true, targets: [route] };
      return fallback ? fallback.resolve(domain) : { ok: false, reason: `DNS: no static route for ${domain}` };
    },
  };
}

export function createDnsResolver(): S2sResolver {
  return {
    async resolve(domain) {
      const ascii = domainToASCII(domain) || domain;
      const srvName = `_xmpp-server._tcp.${ascii}`;
      let srvProblem: string;
      try {
        const records = await dns.resolveSrv(srvName);
        // RFC 2782: a single "." target means the service is decidedly not offered.
        if (records.length === 1 && records[0]!.name === '.') return { ok: false, reason: `DNS: ${srvName} SRV says no XMPP server-to-server service` };
        const sorted = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
        if (sorted.length > 0) return { ok: true, targets: sorted.map((r) => ({ host: r.name, port: r.port })) };
        srvProblem = 'no SRV record';
      } catch (error) {
        srvProblem = `SRV lookup failed (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      }
      try {
        const found = await dns.lookup(ascii, { all: true });
        if (found.length > 0) return { ok: true, targets: found.map((a) => ({ host: a.address, port: DEFAULT_S2S_PORT })) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, reason: `DNS: ${srvName}: ${srvProblem}; A/AAAA lookup for ${ascii} failed (${code})` };
      }
      return { ok: false, reason: `DNS: ${srvName}: ${srvProblem}; no A/AAAA record for ${ascii}` };
    },
  };
}
