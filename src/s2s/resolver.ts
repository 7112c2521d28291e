// Where a remote domain's server listens (RFC 6120 §3.2.1, XEP-0368): a static route first, else
// DNS: SRV `_xmpps-server._tcp` (direct TLS) and `_xmpp-server._tcp` (STARTTLS), each ordered by
// priority and weighted random choice (RFC 2782), their targets resolved to addresses; without any
// SRV record the domain's own A/AAAA on 5269. Behind an interface so tests never touch real DNS.
// Every answer carries a trace of the lookups made, which `herald s2s check` prints.
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { parseNameserver } from './resolver-nameserver.js';
import { orderSrv, type SrvRecord } from './resolver-order.js';

export { parseNameserver };

export type TargetKind = 'starttls' | 'direct-tls';

export interface Target {
  host: string;
  port: number;
  /** How to secure the connection: STARTTLS (default) or TLS from the first byte (XEP-0368). */
  kind?: TargetKind;
  /** Host name the address came from (the SRV target), when it was a name. */
  name?: string;
  /** Which configuration or record produced it. */
  source?: 'static' | 'srv' | 'xmpps-srv' | 'a';
}

/** One lookup made while resolving, in a form that prints as one line. */
export interface TraceStep {
  /** `static`, `SRV`, `A`, `AAAA` or `lookup` (the system resolver, /etc/hosts included). */
  type: string;
  query: string;
  /** The records found (printable), empty when none. */
  answers: string[];
  /** Why nothing was found: `NXDOMAIN`, `no records`, `timeout`, … */
  problem?: string;
}

export type Resolution =
  | { ok: true; targets: Target[]; trace?: TraceStep[] }
  | { ok: false; reason: string; trace?: TraceStep[]; /** The domain says it has no service (SRV target '.'). */ permanent?: boolean };

export interface S2sResolver {
  resolve(domain: string): Promise<Resolution>;
}

export const DEFAULT_S2S_PORT = 5269;

export function createStaticResolver(routes: Readonly<Record<string, Target>>, fallback?: S2sResolver): S2sResolver {
  return {
    async resolve(domain) {
      const route = routes[domain];
      if (route) {
        const target: Target = { host: route.host, port: route.port, kind: route.kind ?? 'starttls', source: 'static' };
        return { ok: true, targets: [target], trace: [{ type: 'static', query: domain, answers: [formatTarget(target)] }] };
      }
      if (fallback) return fallback.resolve(domain);
      return { ok: false, reason: `DNS: no static route for ${domain}`, trace: [{ type: 'static', query: domain, answers: [], problem: 'no route' }] };
    },
  };
}

/** The part of node:dns the resolver uses; tests substitute their own. */
export interface DnsApi {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** System lookup (getaddrinfo); used for addresses only when no nameservers are configured. */
  lookup?(name: string): Promise<{ address: string; family: number }[]>;
}

export interface DnsResolverOptions {
  /** `ip` or `ip:port` (IPv6 as `[::1]:53`); default: the system's resolvers. */
  nameservers?: readonly string[];
  /** Include `_xmpps-server` (direct TLS) targets; default true. */
  directTls?: boolean;
  /** Per-query timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Random source for the weighted choice, in [0, 1). */
  random?: () => number;
  /** Replaces node:dns (tests). */
  dns?: DnsApi;
}

export function createDnsResolver(options: DnsResolverOptions = {}): S2sResolver {
  const api = options.dns ?? nodeDns(options.nameservers ?? [], options.timeoutMs ?? 5000);
  const random = options.random ?? Math.random;
  const directTls = options.directTls ?? true;
  // With our own nameservers, names must not leak to the system resolver (getaddrinfo).
  const useLookup = (options.nameservers ?? []).length === 0 && api.lookup !== undefined;

  async function srv(name: string, trace: TraceStep[]): Promise<{ records: SrvRecord[]; noService: boolean; problem?: string }> {
    try {
      const records = await api.resolveSrv(name);
      // RFC 2782: a single record with target "." means the service is decidedly not offered.
      const noService = records.length === 1 && isRoot(records[0]!.name);
      trace.push({ type: 'SRV', query: name, answers: records.map((r) => `${r.priority} ${r.weight} ${r.port} ${isRoot(r.name) ? '.' : r.name}`), ...(noService ? { problem: 'target "." (no service)' } : {}) });
      return { records: noService ? [] : records.filter((r) => !isRoot(r.name)), noService };
    } catch (error) {
      const problem = dnsProblem(error);
      trace.push({ type: 'SRV', query: name, answers: [], problem });
      return { records: [], noService: false, problem };
    }
  }

  async function addresses(name: string, trace: TraceStep[]): Promise<string[]> {
    if (net.isIP(name)) return [name];
    if (useLookup) {
      try {
        const found = await api.lookup!(name);
        trace.push({ type: 'lookup', query: name, answers: found.map((a) => a.address) });
        return found.map((a) => a.address);
      } catch (error) {
        trace.push({ type: 'lookup', query: name, answers: [], problem: dnsProblem(error) });
        return [];
      }
    }
    const out: string[] = [];
    for (const [type, query] of [['A', api.resolve4], ['AAAA', api.resolve6]] as const) {
      try {
        const found = await query.call(api, name);
        trace.push({ type, query: name, answers: found });
        out.push(...found);
      } catch (error) {
        trace.push({ type, query: name, answers: [], problem: dnsProblem(error) });
      }
    }
    return out;
  }

  return {
    async resolve(domain) {
      const ascii = domainToASCII(domain) || domain;
      const trace: TraceStep[] = [];
      const srvName = `_xmpp-server._tcp.${ascii}`;
      // Both queries at once; their trace lines in a fixed order.
      const directTrace: TraceStep[] = [];
      const plainTrace: TraceStep[] = [];
      const [direct, plain] = await Promise.all([
        directTls ? srv(`_xmpps-server._tcp.${ascii}`, directTrace) : Promise.resolve({ records: [], noService: false }),
        srv(srvName, plainTrace),
      ]);
      trace.push(...directTrace, ...plainTrace);
      const tagged = [
        ...orderSrv(direct.records, random).map((r) => ({ ...r, kind: 'direct-tls' as const })),
        ...orderSrv(plain.records, random).map((r) => ({ ...r, kind: 'starttls' as const })),
      ];
      // Both lists merged by priority; within one priority direct TLS first (each list keeps its
      // RFC 2782 order, the sort is stable).
      tagged.sort((a, b) => a.priority - b.priority);
      if (tagged.length > 0) {
        const targets: Target[] = [];
        for (const record of tagged) {
          for (const host of await addresses(record.name, trace)) {
            targets.push({ host, port: record.port, kind: record.kind, name: record.name, source: record.kind === 'direct-tls' ? 'xmpps-srv' : 'srv' });
          }
        }
        if (targets.length > 0) return { ok: true, targets, trace };
        return { ok: false, reason: `DNS: no address for the SRV targets of ${ascii} (${[...new Set(tagged.map((r) => r.name))].join(', ')})`, trace };
      }
      if (plain.noService || direct.noService) {
        return { ok: false, reason: `DNS: ${plain.noService ? srvName : `_xmpps-server._tcp.${ascii}`} SRV says no XMPP server-to-server service`, trace, permanent: true };
      }
      const found = await addresses(ascii, trace);
      if (found.length > 0) return { ok: true, targets: found.map((host) => ({ host, port: DEFAULT_S2S_PORT, kind: 'starttls' as const, source: 'a' as const })), trace };
      return { ok: false, reason: `DNS: ${srvName}: ${plain.problem ?? 'no SRV record'}; no A/AAAA record for ${ascii}`, trace };
    },
  };
}

/** A target as one word: `127.0.0.1:5269`, `[::1]:5270 (direct TLS)`. */
export function formatTarget(target: Target): string {
  const address = net.isIPv6(target.host) ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const via = target.name !== undefined && target.name !== target.host ? ` via ${target.name}` : '';
  return `${address}${via}${target.kind === 'direct-tls' ? ' (direct TLS)' : ''}`;
}

/** A trace step as one line: `SRV _xmpp-server._tcp.example.org: 0 5 5269 xmpp.example.org`. */
export function formatTraceStep(step: TraceStep): string {
  const answers = step.answers.length > 0 ? step.answers.join(', ') : (step.problem ?? 'no records');
  const extra = step.answers.length > 0 && step.problem !== undefined ? ` (${step.problem})` : '';
  return `${step.type} ${step.query}: ${answers}${extra}`;
}

export function nodeDns(nameservers: readonly string[], timeoutMs: number): DnsApi {
  const resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 2 });
  if (nameservers.length > 0) resolver.setServers(nameservers.map(parseNameserver));
  return {
    resolveSrv: (name) => resolver.resolveSrv(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
    lookup: (name) => dnsPromises.lookup(name, { all: true }),
  };
}

function isRoot(name: string): boolean {
  return name === '' || name === '.';
}

export function dnsProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOTFOUND':
      return 'NXDOMAIN (no such name)';
    case 'ENODATA':
      return 'no records';
    case 'ETIMEOUT':
      return 'timed out';
    case 'ECONNREFUSED':
      return 'nameserver refused';
    case 'ESERVFAIL':
      return 'SERVFAIL';
    default:
      return code ?? (error as Error).message;
  }
}
