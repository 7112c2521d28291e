// The initiating side of a server-to-server stream (RFC 6120 §4-§6): TCP and header, then
// STARTTLS, or for a direct-TLS target (XEP-0368) TLS from the first byte and the header inside
// it; then SASL EXTERNAL (XEP-0178) when offered, else dialback (XEP-0220). Also the short
// "verify" stream a receiving server opens to check a dialback key with the authoritative server.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import type { Logger } from '../util/logger.js';
import { connectFirst, formatAddress } from './connect.js';
import { dialbackElement, dialbackKind, NS_DIALBACK } from './dialback.js';
import { dialbackKey } from './dialback-key.js';
import { ElementChannel, LinkFailure } from './element-channel.js';
import { offersStreamManagement } from './link-acks.js';
import type { AuthMethod, LinkTransport } from './link-status.js';
import type { Target } from './resolver.js';
import { s2sStreamOptions, type S2sContext } from './s2s-context.js';
import { withTimeout } from '../util/with-timeout.js';

/** Outgoing streams carry no input after negotiation; the link manager times them out on output. */
const NO_INPUT_TIMEOUT_MS = 2_000_000_000;

interface Secured {
  channel: ElementChannel;
  features: Element;
  streamId: string;
  /** Undefined when the peer's certificate is trusted and names it. */
  certProblem: string | undefined;
  transport: LinkTransport;
}

/** An outgoing stream once authenticated, and how it was. */
export interface OpenedLink {
  channel: ElementChannel;
  method: AuthMethod;
  transport: LinkTransport;
  /** The peer offers stream management (XEP-0198) on the authenticated stream. */
  streamManagement: boolean;
}

/**
 * An authenticated stream from `local` to `remote`, ready for stanzas. `onChannel` sees the
 * channel as soon as it is connected (so the link can report on it while negotiating).
 */
export async function openLink(ctx: S2sContext, local: string, remote: string, log: Logger, onChannel?: (channel: ElementChannel) => void): Promise<OpenedLink> {
  const { channel, features, streamId, certProblem, transport } = await openSecured(ctx, local, remote, log, onChannel);
  try {
    if (certProblem !== undefined) {
      if (ctx.config.s2s.requireValidCertificates) throw new LinkFailure(certProblem, false, true);
      log.info({ remote, problem: certProblem }, 'peer certificate not valid; using dialback');
    }
    const timeout = ctx.config.s2s.connectTimeoutSeconds * 1000;
    const mechanisms = features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism').map((m) => m.getText()) ?? [];
    if (mechanisms.includes('EXTERNAL') && ctx.tls.mayOfferExternal(local) && (await saslExternal(channel, local, timeout))) {
      sendHeader(channel, local, remote);
      await channel.header(timeout, 'stream restart after SASL');
      const after = await channel.next(timeout, 'stream features after SASL');
      log.info({ remote, method: 'sasl-external', transport }, 'outgoing server link authenticated');
      return { channel, method: 'sasl-external', transport, streamManagement: offersStreamManagement(after) };
    }
    channel.stream.send(dialbackElement('result', { from: local, to: remote }, dialbackKey(ctx.secret, remote, local, streamId)));
    // The peer dials back to our authoritative server before answering: allow for both legs.
    const answer = await nextDialback(channel, 'result', 2 * timeout, 'dialback');
    if (answer.attrs.type !== 'valid') {
      const text = answer.getChild('error')?.getChildText('text', NS.stanzas);
      throw new LinkFailure(`dialback: ${remote} refused our key for ${local}${text ? ` (${text})` : ''}`, false, true);
    }
    log.info({ remote, method: 'dialback', transport }, 'outgoing server link authenticated');
    // No stream restart after dialback: the features seen after TLS are the ones in force.
    return { channel, method: 'dialback', transport, streamManagement: offersStreamManagement(features) };
  } catch (error) {
    channel.stream.destroy();
    throw error;
  }
}

/** Asks the authoritative server of `originating` whether it issued `key` (XEP-0220 §2.3). */
export async function verifyDialbackKey(ctx: S2sContext, receiving: string, originating: string, streamId: string, key: string, log: Logger): Promise<boolean> {
  const { channel } = await openSecured(ctx, receiving, originating, log);
  try {
    channel.stream.send(dialbackElement('verify', { from: receiving, to: originating, id: streamId }, key));
    const answer = await nextDialback(channel, 'verify', ctx.config.s2s.connectTimeoutSeconds * 1000, 'dialback verify');
    return answer.attrs.type === 'valid' && answer.attrs.id === streamId;
  } finally {
    channel.stream.close();
  }
}

async function openSecured(ctx: S2sContext, local: string, remote: string, log: Logger, onChannel?: (channel: ElementChannel) => void): Promise<Secured> {
  const timeout = ctx.config.s2s.connectTimeoutSeconds * 1000;
  const resolution = await ctx.resolver.resolve(remote);
  if (!resolution.ok) throw new LinkFailure(resolution.reason, false, resolution.permanent === true);
  // Targets in the resolver's order (XEP-0368: both SRV lists merged by priority); a direct-TLS
  // target whose handshake fails is passed over for the next, as one refusing TCP is.
  const connected = await connectFirst(resolution.targets, { timeoutMs: timeout, directTls: ctx.tls.clientOptions(local, remote) });
  if (!connected.ok) throw new LinkFailure(connected.reason, connected.reason.includes('timed out') && !connected.reason.includes('refused'));
  for (const failure of connected.failures) log.info({ remote, problem: failure }, 'server target not reachable; trying the next');
  const { target } = connected;
  const transport: LinkTransport = target.kind === 'direct-tls' ? 'direct-tls' : 'starttls';
  const channel = new ElementChannel(connected.socket, { ...s2sStreamOptions(ctx, log), idleTimeoutMs: NO_INPUT_TIMEOUT_MS });
  onChannel?.(channel);
  try {
    if (transport === 'starttls') await startTls(ctx, channel, local, remote, target, timeout);
    log.debug({ remote, address: formatAddress(target), transport, alpn: channel.stream.tlsSocket?.alpnProtocol || undefined }, 'outgoing server stream secured');
    const certProblem = ctx.tls.peerProblem(channel.stream.tlsSocket!, remote);
    sendHeader(channel, local, remote);
    const secured = await channel.header(timeout, transport === 'direct-tls' ? 'stream header' : 'stream header after TLS');
    if (secured.xmlns !== NS.server) throw new LinkFailure(`stream: ${remote} answered with namespace '${secured.xmlns ?? ''}', not jabber:server`);
    const streamId = secured.id;
    if (!streamId) throw new LinkFailure(`stream: ${remote} sent no stream id, which dialback needs`);
    const features = await expectFeatures(channel, timeout, transport === 'direct-tls' ? 'stream features' : 'stream features after TLS');
    return { channel, features, streamId, certProblem, transport };
  } catch (error) {
    channel.stream.destroy();
    throw error;
  }
}

/** RFC 6120 §5: a first stream in clear text, `<starttls/>`, `<proceed/>`, then the handshake. */
async function startTls(ctx: S2sContext, channel: ElementChannel, local: string, remote: string, target: Target, timeout: number): Promise<void> {
  sendHeader(channel, local, remote);
  const header = await channel.header(timeout, 'stream header');
  if (header.xmlns !== NS.server) throw new LinkFailure(`stream: ${remote} answered with namespace '${header.xmlns ?? ''}', not jabber:server`);
  const features = await expectFeatures(channel, timeout, 'stream features');
  if (!features.getChild('starttls', NS.tls)) throw new LinkFailure(`TLS: ${remote} does not offer STARTTLS`);
  channel.stream.send(xml('starttls', { xmlns: NS.tls }));
  const proceed = await channel.next(timeout, 'STARTTLS');
  if (proceed.name !== 'proceed') throw new LinkFailure(`TLS: ${remote} refused STARTTLS`);
  try {
    await withTimeout(channel.stream.startTlsClient(ctx.tls.clientOptions(local, remote)), timeout, `no handshake within ${Math.round(timeout / 1000)} s`);
  } catch (error) {
    throw new LinkFailure(`TLS: handshake with ${remote} at ${formatAddress(target)} failed (${(error as Error).message})`);
  }
}

function sendHeader(channel: ElementChannel, local: string, remote: string): void {
  channel.stream.sendHeader({ xmlns: NS.server, 'xmlns:db': NS_DIALBACK, from: local, to: remote });
}

async function expectFeatures(channel: ElementChannel, timeout: number, step: string): Promise<Element> {
  const features = await channel.next(timeout, step);
  if (features.name !== 'stream:features') throw new LinkFailure(`${step}: expected stream features, got <${features.name}>`);
  return features;
}

/** XEP-0178: authorization identity is our domain; true on success, false to fall back. */
async function saslExternal(channel: ElementChannel, local: string, timeout: number): Promise<boolean> {
  channel.stream.send(xml('auth', { xmlns: NS.sasl, mechanism: 'EXTERNAL' }, Buffer.from(local, 'utf8').toString('base64')));
  const outcome = await channel.next(timeout, 'SASL EXTERNAL');
  if (outcome.name !== 'success') return false;
  channel.stream.restart();
  return true;
}

/**
 * The next dialback answer of this kind, skipping anything else. The deadline is for the whole
 * step: a peer sending other elements must not restart the clock with each.
 */
async function nextDialback(channel: ElementChannel, kind: 'result' | 'verify', timeout: number, step: string): Promise<Element> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const left = Math.max(0, deadline - performance.now());
    const element = await channel.next(left, step, timeout);
    if (dialbackKind(element, channel.headerAttrs) === kind) return element;
  }
}
