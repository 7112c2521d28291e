// `herald doctor`, DNS part: can clients and servers elsewhere find this server? For each served
// domain, the SRV records of RFC 6120 §3.2.1 and XEP-0368 and the addresses they point at, each
// compared with the listeners this configuration opens; every problem comes with the record to add.
import net from 'node:net';
import { domainToASCII } from 'node:url';
import type { HeraldConfig, ListenerConfig } from '../config/types.js';
import { dnsProblem, type DnsApi } from '../s2s/resolver.js';
import type { SrvRecord } from '../s2s/resolver-order.js';
import type { CheckStep } from './s2s-check.js';

interface Service {
  /** `_xmpp-client._tcp` … */
  label: string;
  listener: ListenerConfig;
  /** Without any record of this service, may others fall back to the domain's A/AAAA (RFC 6120 §3.2.2)? */
  fallbackPort: number | undefined;
}

function services(config: HeraldConfig): Service[] {
  const l = config.listeners;
  return [
    { label: '_xmpp-client._tcp', listener: l.c2s, fallbackPort: 5222 },
    { label: '_xmpps-client._tcp', listener: l.c2sDirectTls, fallbackPort: undefined },
    { label: '_xmpp-server._tcp', listener: l.s2s, fallbackPort: 5269 },
    { label: '_xmpps-server._tcp', listener: l.s2sTls, fallbackPort: undefined },
  ].filter((s) => s.listener.enabled);
}

export async function checkDomainDns(config: HeraldConfig, domain: string, dns: DnsApi): Promise<CheckStep[]> {
  const ascii = domainToASCII(domain) || domain;
  if (ascii === 'localhost' || ascii.endsWith('.localhost') || !ascii.includes('.')) {
    return [{ name: 'DNS', status: 'ok', summary: `${domain}: a local name, not looked up (only this machine can reach it)`, details: [] }];
  }
  const steps: CheckStep[] = [];
  const domainAddresses = await addresses(ascii, dns);
  for (const service of services(config)) {
    const name = `${service.label}.${ascii}`;
    const port = service.listener.port;
    const fix = `add: ${name}. 3600 IN SRV 0 5 ${port} ${ascii}.`;
    let records: SrvRecord[];
    try {
      records = await dns.resolveSrv(name);
    } catch (error) {
      const problem = dnsProblem(error);
      if (service.fallbackPort === port && domainAddresses.length > 0) {
        steps.push({ name: 'DNS', status: 'warn', summary: `${name}: ${problem}; others fall back to ${ascii} port ${port}, which works`, details: [fix] });
      } else if (service.fallbackPort === undefined) {
        // XEP-0368 records are optional: without them peers use the STARTTLS port.
        steps.push({ name: 'DNS', status: 'warn', summary: `${name}: ${problem}; direct TLS on port ${port} goes unused, STARTTLS still works`, details: [fix] });
      } else {
        steps.push({ name: 'DNS', status: 'fail', summary: `${name}: ${problem}; nobody elsewhere can find port ${port}`, details: [fix] });
      }
      continue;
    }
    const matching = records.filter((r) => r.port === port);
    if (matching.length === 0) {
      const found = records.map((r) => `${r.port} ${r.name}`).join(', ');
      steps.push({ name: 'DNS', status: 'fail', summary: `${name} points at ${found}, but this server listens on port ${port}`, details: [`change the record's port to ${port}: ${name}. 3600 IN SRV 0 5 ${port} ${records[0]?.name ?? ascii}.`] });
      continue;
    }
    const unresolved: string[] = [];
    for (const record of matching) if ((await addresses(record.name, dns)).length === 0) unresolved.push(record.name);
    if (unresolved.length === matching.length) {
      steps.push({ name: 'DNS', status: 'fail', summary: `${name}: its target ${unresolved.join(', ')} has no A/AAAA record`, details: [`add: ${unresolved[0]}. 3600 IN A <this server's public IPv4 address>`] });
    } else {
      steps.push({ name: 'DNS', status: 'ok', summary: `${name}: ${matching.map((r) => `${r.port} ${r.name}`).join(', ')}`, details: [] });
    }
  }
  steps.push(
    domainAddresses.length > 0
      ? { name: 'DNS', status: 'ok', summary: `${ascii}: ${domainAddresses.join(', ')}`, details: [] }
      : { name: 'DNS', status: 'warn', summary: `${ascii}: no A/AAAA record (fine when every SRV target has one)`, details: [`add: ${ascii}. 3600 IN A <this server's public IPv4 address>`] },
  );
  return steps;
}

async function addresses(name: string, dns: DnsApi): Promise<string[]> {
  if (net.isIP(name)) return [name];
  const out: string[] = [];
  for (const query of [dns.resolve4, dns.resolve6]) {
    try {
      out.push(...(await query.call(dns, name)));
    } catch {
      // NXDOMAIN / no records: an empty answer for this family.
    }
  }
  return out;
}
