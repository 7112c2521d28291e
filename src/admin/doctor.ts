// `herald doctor`: everything that stands between this configuration and users elsewhere, each
// problem with its fix: the configuration as `herald start` sees it, certificates, whether the
// listeners answer on this machine, and DNS. Resolver and addresses are injectable for tests.
import net from 'node:net';
import type { HeraldConfig } from '../config/types.js';
import { inspectCertificates } from '../net/certificate-inspection.js';
import { nodeDns, type DnsApi } from '../s2s/resolver.js';
import { withTimeout } from '../util/with-timeout.js';
import { checkDomainDns } from './doctor-dns.js';
import { chainProblem } from './doctor-chain.js';
import { checkCluster } from './doctor-cluster.js';
import { preflight } from './preflight.js';
import { checkS2s, type CheckStep } from './s2s-check.js';
import type { S2sResolver } from '../s2s/resolver.js';

export interface DoctorOptions {
  config: HeraldConfig;
  moduleNames: readonly string[];
  /** Replaces DNS (tests); default: s2s.resolver.nameservers, else the system's resolvers. */
  dns?: DnsApi;
  onStep?: (step: CheckStep) => void;
  /** A remote domain to check federation with (`--federation`); none by default. */
  federationTarget?: string;
  /** Replaces the s2s resolver for that check (tests). */
  resolver?: S2sResolver;
}

export async function runDoctor(options: DoctorOptions): Promise<CheckStep[]> {
  const { config } = options;
  const steps: CheckStep[] = [];
  const add = (step: CheckStep) => {
    steps.push(step);
    options.onStep?.(step);
  };

  const problems = preflight(config, options.moduleNames);
  if (problems.length === 0) add({ name: 'config', status: 'ok', summary: `${config.sourceFile ?? 'built-in defaults'}: herald start accepts it`, details: [] });
  for (const p of problems) add({ name: 'config', status: p.severity === 'error' ? 'fail' : 'warn', summary: p.message, details: [] });

  for (const found of inspectCertificates(config)) {
    if (found.info === undefined) {
      if (found.problem === undefined) add({ name: 'certificate', status: 'warn', summary: `${found.domain}: none yet; herald start generates a self-signed one, which clients must be told to trust`, details: ['for a real domain: herald cert import /etc/letsencrypt/live/<domain> (docs/certificates.md)'] });
      continue; // problems were reported with the configuration
    }
    const chain = found.info.selfSigned ? undefined : chainProblem(found.certPath, config.s2s.caFiles);
    if (chain !== undefined) add({ name: 'certificate', status: 'fail', summary: `${found.domain}: ${chain}`, details: ['clients and servers cannot build the chain to a trusted root and refuse the certificate'] });
    const days = Math.floor((found.info.validTo.getTime() - Date.now()) / 86_400_000);
    const selfSigned = found.info.selfSigned ? '; self-signed: federation and strict clients refuse it' : '';
    add({
      name: 'certificate',
      status: found.info.selfSigned && config.listeners.s2s.enabled ? 'warn' : 'ok',
      summary: `${found.domain}: names ${found.info.names.join(', ')}; ${days} days left${selfSigned}`,
      details: [`SHA-256 ${found.info.sha256}`],
    });
  }

  for (const [name, listener] of Object.entries(config.listeners)) {
    if (!listener.enabled || listener.port === 0) continue; // port 0: chosen at start, nothing to probe
    const host = listener.host === '0.0.0.0' || listener.host === '' ? '127.0.0.1' : listener.host === '::' ? '::1' : listener.host;
    const answered = await reachable(host, listener.port);
    add(
      answered
        ? { name: 'port', status: 'ok', summary: `listeners.${name}: ${host}:${listener.port} answers`, details: [] }
        : {
            name: 'port',
            status: 'warn',
            summary: `listeners.${name}: nothing answers on ${host}:${listener.port}`,
            details: ['start Herald (herald start), or check that no firewall on this machine blocks the port'],
          },
    );
  }

  // Several nodes: the shared PostgreSQL and Redis must answer from here.
  for (const step of await checkCluster(config)) add(step);

  const dns = options.dns ?? nodeDns(config.s2s.resolver?.nameservers ?? [], 5000);
  for (const domain of config.domains) for (const step of await checkDomainDns(config, domain.name, dns)) add(step);

  // Federation, end to end, with a domain the admin names (e.g. jabber.org): what a peer does.
  if (options.federationTarget !== undefined) {
    const local = config.domains[0]!.name;
    const report = await checkS2s({ config, local, remote: options.federationTarget, ...(options.resolver ? { resolver: options.resolver } : {}) });
    for (const step of report.steps) add({ ...step, name: `federation ${step.name}` });
  }
  return steps;
}

async function reachable(host: string, port: number): Promise<boolean> {
  const socket = net.connect({ host, port });
  try {
    await withTimeout(new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject)), 3000, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
