// `herald s2s check <domain>`: runs the steps of opening a server-to-server link, standalone, and
// says how each went: resolver → TCP → stream → TLS (STARTTLS or direct) → certificate verdict →
// stream features → authentication (SASL EXTERNAL when offered, else dialback). Built from the
// same pieces the server uses (resolver, connectFirst, ElementChannel, S2sTls, dialback keys).
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { HeraldConfig } from '../config/types.js';
import { ensureCertificates } from '../net/certificates.js';
import { createTlsContexts } from '../net/tls-contexts.js';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { systemClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { connectFirst } from '../s2s/connect.js';
import { certificateNames, describeNames, namesMatchDomain, type CertificateNames } from '../s2s/certificate-names.js';
import { dialbackElement, dialbackKind, NS_DIALBACK, NS_DIALBACK_FEATURE } from '../s2s/dialback.js';
import { dialbackKey } from '../s2s/dialback-key.js';
import { ElementChannel } from '../s2s/element-channel.js';
import { createDnsResolver, createStaticResolver, formatTarget, formatTraceStep, type S2sResolver } from '../s2s/resolver.js';
import { createS2sTls } from '../s2s/s2s-tls.js';
import { loadDialbackSecret } from '../s2s/secret.js';
import { withTimeout } from '../util/with-timeout.js';

export type StepStatus = 'ok' | 'warn' | 'fail';

export interface CheckStep {
  name: string;
  status: StepStatus;
  summary: string;
  details: string[];
}

export interface CheckReport {
  local: string;
  remote: string;
  steps: CheckStep[];
  ok: boolean;
  /** The first failed step as plain words, when one failed. */
  firstFailure: string | undefined;
}

export interface CheckOptions {
  config: HeraldConfig;
  local: string;
  remote: string;
  /** Replaces DNS (tests); static routes still come first. */
  resolver?: S2sResolver;
  /** Called as each step finishes, for printing progress. */
  onStep?: (step: CheckStep) => void;
}

class Stop extends Error {}

export async function checkS2s(options: CheckOptions): Promise<CheckReport> {
  const { config, local, remote } = options;
  const timeout = config.s2s.connectTimeoutSeconds * 1000;
  const steps: CheckStep[] = [];
  const step = (name: string, status: StepStatus, summary: string, details: string[] = []): void => {
    const s = { name, status, summary, details };
    steps.push(s);
    options.onStep?.(s);
    if (status === 'fail') throw new Stop(summary);
  };
  const fail: (name: string, summary: string, details?: string[]) => never = (name, summary, details = []) => {
    step(name, 'fail', summary, details);
    throw new Stop(summary);
  };
  let channel: ElementChannel | undefined;
  try {
    // 1. Where does the remote domain's server listen?
    const resolver = createStaticResolver(
      config.s2s.routes,
      options.resolver ?? createDnsResolver(config.s2s.resolver ? { nameservers: config.s2s.resolver.nameservers } : {}),
    );
    const resolution = await resolver.resolve(remote);
    const trace = (resolution.trace ?? []).map(formatTraceStep);
    if (!resolution.ok) fail('DNS', resolution.reason.replace(/^DNS: /, ''), trace);
    const targets = resolution.ok ? resolution.targets : [];
    step('DNS', 'ok', `${targets.length} target${targets.length === 1 ? '' : 's'}: ${targets.map(formatTarget).join(', ')}`, trace);

    // 2. TCP (and for a direct-TLS target its TLS handshake) to each target in turn until one
    // answers: the server's own connect code, so a failing direct-TLS target is passed over here
    // exactly as it is by a running server.
    const s2sTls = createS2sTls(createTlsContexts(ensureCertificates(config), config.domains[0]!.name), config.s2s.caFiles);
    const outcome = await connectFirst(targets, { timeoutMs: timeout, directTls: s2sTls.clientOptions(local, remote) });
    if (!outcome.ok) fail('TCP', `cannot connect: ${outcome.failures.join('; ') || 'no address to connect to'}`, outcome.failures);
    const connected = outcome;
    const target = connected.target;
    // Earlier targets that failed are a warning: a peer trying them first loses time, and a broken
    // `_xmpps-server` record goes unnoticed while the STARTTLS one works.
    const skipped = connected.failures.length;
    step(
      'TCP',
      skipped > 0 ? 'warn' : 'ok',
      `connected to ${formatTarget(target)}${skipped > 0 ? ` (${skipped} earlier target${skipped === 1 ? '' : 's'} failed)` : ''}`,
      connected.failures,
    );

    const streamOptions = {
      limits: config.limits,
      bytesPerSecond: config.limits.bytesPerSecond,
      idleTimeoutMs: 2_000_000_000,
      maxOutboundBytes: 16 * 1024 * 1024,
      clock: systemClock,
      log: silentLogger(),
      contentNamespace: NS.server,
    };
    const header = () => channel!.stream.sendHeader({ xmlns: NS.server, 'xmlns:db': NS_DIALBACK, from: local, to: remote });

    // 3. TLS: direct (XEP-0368, already done by connectFirst) or STARTTLS after a first stream.
    channel = new ElementChannel(connected.socket, streamOptions);
    if (target.kind !== 'direct-tls') {
      try {
        header();
        const attrs = await channel.header(timeout, 'stream header');
        if (attrs.xmlns !== NS.server) fail('stream', `${remote} answered with namespace '${attrs.xmlns ?? ''}', not jabber:server`);
        const features = await features_(channel, timeout, 'stream features');
        step('stream', 'ok', `${remote} answered (from '${attrs.from ?? ''}', version ${attrs.version ?? 'none'})`);
        if (!features.getChild('starttls', NS.tls)) fail('TLS', `${remote} does not offer STARTTLS`);
        channel.stream.send(xml('starttls', { xmlns: NS.tls }));
        const proceed = await channel.next(timeout, 'STARTTLS');
        if (proceed.name !== 'proceed') fail('TLS', `${remote} refused STARTTLS (<${proceed.name}/>)`);
        await withTimeout(channel.stream.startTlsClient(s2sTls.clientOptions(local, remote)), timeout, tlsTimeoutText(timeout));
      } catch (error) {
        if (error instanceof Stop) throw error;
        fail('TLS', `STARTTLS with ${remote} failed: ${(error as Error).message}`);
      }
    }
    const tlsSocket: TLSSocket = channel.stream.tlsSocket!;
    const alpn = target.kind === 'direct-tls' ? `, ALPN ${tlsSocket.alpnProtocol || 'not negotiated'}` : '';
    step('TLS', 'ok', `${target.kind === 'direct-tls' ? 'direct TLS' : 'STARTTLS'}: ${tlsSocket.getProtocol() ?? '?'}, ${tlsSocket.getCipher()?.name ?? '?'}${alpn}`);

    // 4. Certificate verdict.
    const verdict = certificateVerdict(tlsSocket, remote);
    const certOk = verdict.trusted && verdict.matched !== undefined;
    const strict = config.s2s.requireValidCertificates;
    step(
      'certificate',
      certOk ? 'ok' : strict ? 'fail' : 'warn',
      certOk ? `trusted and valid for ${remote} (matched ${verdict.matched})` : `${verdict.problem}${strict ? '' : '; dialback can still authenticate the link'}`,
      verdict.details,
    );

    // 5. The secured stream and what it offers.
    let features: Element | undefined;
    let streamId = '';
    try {
      header();
      const attrs = await channel.header(timeout, 'stream header after TLS');
      if (!attrs.id) fail('features', `${remote} sent no stream id, which dialback needs`);
      features = await features_(channel, timeout, 'stream features after TLS');
      streamId = attrs.id ?? '';
    } catch (error) {
      if (error instanceof Stop) throw error;
      fail('features', (error as Error).message);
    }
    const mechanisms = features?.getChild('mechanisms', NS.sasl)?.getChildren('mechanism').map((m) => m.getText()) ?? [];
    const offersExternal = mechanisms.includes('EXTERNAL');
    const offersDialback = features?.getChild('dialback', NS_DIALBACK_FEATURE) !== undefined;
    step('features', 'ok', `SASL EXTERNAL ${offersExternal ? 'offered' : 'not offered'}; dialback ${offersDialback ? 'offered' : 'not announced'}`);

    // 6. Authentication: EXTERNAL when offered, else (or when refused) dialback.
    if (offersExternal) {
      channel.stream.send(xml('auth', { xmlns: NS.sasl, mechanism: 'EXTERNAL' }, Buffer.from(local, 'utf8').toString('base64')));
      const outcome = await channel.next(timeout, 'SASL EXTERNAL').catch((e: Error) => e);
      if (!(outcome instanceof Error) && outcome.name === 'success') {
        step('auth', 'ok', `SASL EXTERNAL: ${remote} accepted our certificate for ${local}`);
        return done();
      }
      const why = outcome instanceof Error ? outcome.message : `<${outcome.children.find((c): c is Element => typeof c !== 'string')?.name ?? outcome.name}>`;
      step('auth', 'warn', `SASL EXTERNAL refused (${why}); trying dialback`);
    }
    const secret = loadDialbackSecret(config.s2s.secret, config.storage.dataDir);
    channel.stream.send(dialbackElement('result', { from: local, to: remote }, dialbackKey(secret, remote, local, streamId)));
    let answer: Element | undefined;
    try {
      answer = await nextDialback(channel, 2 * timeout);
    } catch (error) {
      const message = (error as Error).message;
      const hint = /no answer/.test(message)
        ? ` (${remote} has to connect back to the server of ${local} to verify the key: is Herald for ${local} running and reachable from ${remote}?)`
        : '';
      fail('auth', `dialback: ${message}${hint}`);
    }
    const type = answer?.attrs.type;
    const text = answer?.getChild('error')?.getChildText('text', NS.stanzas);
    if (type === 'valid') step('auth', 'ok', `dialback: ${remote} verified our key for ${local} with our server`);
    else if (type === 'error') fail('auth', `dialback: ${remote} could not verify our key${text ? `: ${text}` : ''} (it has to reach the server of ${local}: is Herald running and reachable from ${remote}?)`);
    else fail('auth', `dialback: ${remote} refused our key for ${local}${text ? ` (${text})` : ''} (does the running server use the same s2s secret as this configuration?)`);
    return done();
  } catch (error) {
    if (!(error instanceof Stop)) {
      const s = { name: 'internal', status: 'fail' as const, summary: (error as Error).message, details: [] };
      steps.push(s);
      options.onStep?.(s);
    }
    return done();
  } finally {
    channel?.stream.close();
    channel?.stream.destroy();
  }

  function done(): CheckReport {
    const failed = steps.find((s) => s.status === 'fail');
    return { local, remote, steps, ok: failed === undefined, firstFailure: failed ? `${failed.name}: ${failed.summary}` : undefined };
  }
}

export interface CertificateVerdict {
  trusted: boolean;
  /** Which name in the certificate matched the domain, e.g. `DNS:b.test`. */
  matched: string | undefined;
  problem: string;
  details: string[];
}

/** What a peer's certificate says about `domain`: trusted? which name matched, or why not. */
export function certificateVerdict(socket: TLSSocket, domain: string): CertificateVerdict {
  const raw = socket.getPeerX509Certificate();
  if (!raw) return { trusted: false, matched: undefined, problem: `no certificate presented for ${domain}`, details: [] };
  const cert = new X509Certificate(raw.raw);
  const names = certificateNames(cert);
  const trusted = socket.authorized;
  const details = [
    `subject: ${cert.subject.replace(/\n/g, ', ')}`,
    `issuer: ${cert.issuer.replace(/\n/g, ', ')}`,
    `valid: ${cert.validFrom} to ${cert.validTo}`,
    `names: ${describeAll(names)}`,
    `chain: ${trusted ? 'trusted' : `not trusted (${String(socket.authorizationError ?? 'unknown')})`}`,
  ];
  const matched = matchingName(names, domain);
  const problems: string[] = [];
  if (!trusted) problems.push(`not trusted (${String(socket.authorizationError ?? 'unknown')})`);
  if (matched === undefined) problems.push(`does not name ${domain} (it names ${describeNames(names)})`);
  return { trusted, matched, problem: `certificate ${problems.join(' and ')}`, details };
}

function matchingName(names: CertificateNames, domain: string): string | undefined {
  const none: CertificateNames = { dns: [], xmppAddr: [], srv: [], commonName: undefined };
  for (const srv of names.srv) if (namesMatchDomain({ ...none, srv: [srv] }, domain)) return `SRV-ID ${srv}`;
  for (const addr of names.xmppAddr) if (namesMatchDomain({ ...none, xmppAddr: [addr] }, domain)) return `xmppAddr ${addr}`;
  for (const dns of names.dns) if (namesMatchDomain({ ...none, dns: [dns] }, domain)) return `DNS ${dns}`;
  if (namesMatchDomain(names, domain)) return `CN ${names.commonName ?? ''}`;
  return undefined;
}

function describeAll(names: CertificateNames): string {
  const all = [...names.dns.map((n) => `DNS:${n}`), ...names.xmppAddr.map((n) => `xmppAddr:${n}`), ...names.srv.map((n) => `SRV:${n}`)];
  if (names.commonName !== undefined) all.push(`CN=${names.commonName}`);
  return all.length > 0 ? all.join(', ') : 'none';
}

async function features_(channel: ElementChannel, timeout: number, what: string): Promise<Element> {
  const features = await channel.next(timeout, what);
  if (features.name !== 'stream:features') throw new Error(`${what}: expected stream features, got <${features.name}>`);
  return features;
}

async function nextDialback(channel: ElementChannel, timeout: number): Promise<Element> {
  for (;;) {
    const element = await channel.next(timeout, 'waiting for the dialback result');
    if (dialbackKind(element, channel.headerAttrs) === 'result') return element;
  }
}

const tlsTimeoutText = (ms: number) => `no TLS handshake within ${Math.round(ms / 1000)} s`;
