// The initiating side of a server-to-server stream (RFC 6120 §4-§6): TCP, header, STARTTLS,
// then SASL EXTERNAL (XEP-0178) when offered, else dialback (XEP-0220). Also the short "verify"
// stream a receiving server opens to check a dialback key with the authoritative server.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import type { Logger } from '../util/logger.js';
import { connectFirst } from './connect.js';
import { dialbackElement, dialbackKind, NS_DIALBACK } from './dialback.js';
import { dialbackKey } from './dialback-key.js';
import { ElementChannel, LinkFailure } from './element-channel.js';
import type { AuthMethod } from './link-status.js';
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
}

/** An outgoing stream once authenticated, and how it was. */
export interface OpenedLink {
  channel: ElementChannel;
  method: AuthMethod;
}

/**
 * An authenticated stream from `local` to `remote`, ready for stanzas. `onChannel` sees the
 * channel as soon as it is connected (so the link can report on it while negotiating).
 */
export async function openLink(ctx: S2sContext, local: string, remote: string, log: Logger, onChannel?: (channel: ElementChannel) => void): Promise<OpenedLink> {
  const { channel, features, streamId, certProblem } = await openSecured(ctx, local, remote, log, onChannel);
  try {
    if (certProblem !== undefined) {
      if (ctx.config.s2s.requireValidCertificates) throw new LinkFailure(certProblem);
      log.info({ remote, problem: certProblem }, 'peer certificate not valid; using dialback');
    }
    const timeout = ctx.config.s2s.connectTimeoutSeconds * 1000;
    const mechanisms = features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism').map((m) => m.getText()) ?? [];
    if (mechanisms.includes('EXTERNAL') && ctx.tls.mayOfferExternal(local) && (await saslExternal(channel, local, timeout))) {
      sendHeader(channel, local, remote);
      await channel.header(timeout, 'stream restart after SASL');
      await channel.next(timeout, 'stream features after SASL');
      log.info({ remote, method: 'sasl-external' }, 'outgoing server link authenticated');
      return { channel, method: 'sasl-external' };
    }
    channel.stream.send(dialbackElement('result', { from: local, to: remote }, dialbackKey(ctx.secret, remote, local, streamId)));
    // The peer dials back to our authoritative server before answering: allow for both legs.
    const answer = await nextDialback(channel, 'result', 2 * timeout, 'dialback');
    if (answer.attrs.type !== 'valid') {
      const text = answer.getChild('error')?.getChildText('text', NS.stanzas);
      throw new LinkFailure(`dialback: ${remote} refused our key for ${local}${text ? ` (${text})` : ''}`);
    }
    log.info({ remote, method: 'dialback' }, 'outgoing server link authenticated');
    return { channel, method: 'dialback' };
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
  if (!resolution.ok) throw new LinkFailure(resolution.reason);
  const connected = await connectFirst(resolution.targets, timeout);
  if (!connected.ok) throw new LinkFailure(connected.reason, connected.reason.includes('timed out') && !connected.reason.includes('refused'));
  const channel = new ElementChannel(connected.socket, { ...s2sStreamOptions(ctx, log), idleTimeoutMs: NO_INPUT_TIMEOUT_MS });
  onChannel?.(channel);
  try {
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
      throw new LinkFailure(`TLS: handshake with ${remote} at ${connected.target.host}:${connected.target.port} failed (${(error as Error).message})`);
    }
    const certProblem = ctx.tls.peerProblem(channel.stream.tlsSocket!, remote);
    sendHeader(channel, local, remote);
    const secured = await channel.header(timeout, 'stream header after TLS');
    const streamId = secured.id;
    if (!streamId) throw new LinkFailure(`stream: ${remote} sent no stream id, which dialback needs`);
    return { channel, features: await expectFeatures(channel, timeout, 'stream features after TLS'), streamId, certProblem };
  } catch (error) {
    channel.stream.destroy();
    throw error;
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

async function nextDialback(channel: ElementChannel, kind: 'result' | 'verify', timeout: number, step: string): Promise<Element> {
  for (;;) {
    const element = await channel.next(timeout, step);
    if (dialbackKind(element, channel.headerAttrs) === kind) return element;
  }
}
