// The RemoteRoute for the router: one OutboundLink per (local domain, remote domain), created on
// demand and forgotten when it closes, so the next stanza opens a fresh one. A pair whose link
// could not be opened is in back-off (backoff.ts): its stanzas are bounced at once with the
// remembered reason until the period is over, instead of dialling the peer again for each.
// Stanzas a link carried but the peer never acknowledged (stream management) are sent again on
// a fresh link, ahead of anything newer, up to MAX_ATTEMPTS times each. Messages that cannot be
// sent for want of a link are held in storage instead of bounced (held-messages.ts).
import type { Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import type { RemoteRoute } from '../core/router.js';
import { bounce } from '../core/stanza-sender.js';
import { StanzaError } from '../protocol/stanza-error.js';
import { LinkBackoff } from './backoff.js';
import { OutboundLink, type LinkObserver } from './outbound-link.js';
import type { S2sContext } from './s2s-context.js';
import type { HeldStanzaRepository } from '../storage/types.js';
import { HeldMessages } from './held-messages.js';
import { failedLinkStatus, type LinkStatus } from './link-status.js';

/**
 * Links a stanza may be written to before it is bounced: a peer that takes it and dies each time
 * (a crash it triggers, say) must not keep it circulating forever.
 */
export const MAX_ATTEMPTS = 3;

export interface LinkManager extends RemoteRoute {
  /** The links open or opening now. */
  list(): OutboundLink[];
  /** Pairs with no live link whose last attempt failed (in back-off), with the reason. */
  failures(): LinkStatus[];
  /** Retries the messages held in storage for unreachable peers (at start). */
  resumeHeld(): Promise<void>;
  closeAll(): void;
  /** After closeAll: resolves once messages being stored for unreachable peers are stored. */
  settled(): Promise<void>;
}

const pairKey = (local: string, remote: string) => `${local} ${remote}`;

export function createLinkManager(getContext: () => S2sContext, heldRepo: HeldStanzaRepository): LinkManager {
  const links = new Map<string, OutboundLink>();
  /** Times a stanza was written to a link that then closed without acknowledging it. */
  const attempts = new WeakMap<Element, number>();
  let stopping = false;
  let backoff: LinkBackoff | undefined;
  const backoffOf = (ctx: S2sContext): LinkBackoff =>
    (backoff ??= new LinkBackoff(ctx.clock, () => ({
      initialMs: ctx.config.s2s.retry.initialBackoffSeconds * 1000,
      maxMs: ctx.config.s2s.retry.maxBackoffSeconds * 1000,
    })));

  const held = new HeldMessages({
    context: getContext,
    repo: heldRepo,
    linkFor: (local, remote) => linkFor(getContext(), pairKey(local, remote), local, remote),
    retryInMs: (local, remote) => backoffOf(getContext()).retryInMs(pairKey(local, remote)),
  });

  const observer = (key: string, failures: LinkBackoff): LinkObserver => ({
    opened: (link) => {
      failures.succeeded(key);
      held.linkOpened(link);
    },
    failed: (link, error, permanent) => {
      const retryMs = failures.failed(key, error, permanent);
      held.linkFailed(link.local, link.remote, error, permanent);
      return retryMs;
    },
    undeliverable: (link, stanza, error, permanent) =>
      !permanent && held.holds(stanza) ? held.hold(link.local, link.remote, stanza, error) : bounce(getContext().router, stanza, error),
    closed: (closed, unacked) => {
      if (links.get(key) === closed) links.delete(key);
      if (unacked.length > 0) void resend(closed, key, unacked);
    },
  });

  /** In order, before anything sent after this call; called as the old link closes. */
  async function resend(closed: OutboundLink, key: string, stanzas: Element[]): Promise<void> {
    const ctx = getContext();
    const log = ctx.log.child({ s2s: 'out', local: closed.local, remote: closed.remote });
    if (stopping) {
      log.warn({ unacked: stanzas.length }, 'server stopping: stanzas the peer did not acknowledge are not sent again');
      return;
    }
    log.info({ stanzas: stanzas.length }, 'sending unacknowledged stanzas again on a new link');
    // Each stanza is queued synchronously (a new link takes it at once), so order is kept even
    // though bounces below are awaited.
    const pending: Promise<unknown>[] = [];
    for (const stanza of stanzas) {
      const count = (attempts.get(stanza) ?? 0) + 1;
      attempts.set(stanza, count);
      if (count >= MAX_ATTEMPTS) {
        const error = new StanzaError('remote-server-timeout', `${count} links to ${closed.remote} closed before it acknowledged this stanza`);
        pending.push(bounce(ctx.router, stanza, error));
        continue;
      }
      pending.push(deliver(ctx, key, closed.local, closed.remote, stanza, true));
    }
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === 'rejected') log.warn({ err: outcome.reason }, 'sending again failed');
    }
  }

  /**
   * The live link for the pair, or a new one; while the pair is in back-off, the error to bounce
   * with instead. Synchronous, like the start of OutboundLink.send, so a stanza is queued in the
   * order send() was called.
   */
  function linkFor(ctx: S2sContext, key: string, local: string, remote: string): OutboundLink | StanzaError {
    const current = links.get(key);
    if (current && !current.closed) return current;
    const failures = backoffOf(ctx);
    const refusal = failures.refusal(key);
    if (refusal) return refusal;
    const link = new OutboundLink(ctx, local, remote, observer(key, failures));
    if (!link.closed) links.set(key, link);
    return link;
  }

  /**
   * Hands the stanza to the pair's link (queued synchronously, before the first await, so calls
   * keep their order), or bounces it while the pair is in back-off.
   */
  async function deliver(ctx: S2sContext, key: string, local: string, remote: string, stanza: Element, carriedOver = false): Promise<void> {
    // A ready link whose stream is going away refuses the stanza and closes; the second
    // round gives it to a fresh link (which, while opening, always takes it).
    for (let round = 0; round < 2; round++) {
      const link = linkFor(ctx, key, local, remote);
      if (link instanceof StanzaError) {
        const failure = backoffOf(ctx).lastFailure(key);
        if (held.holds(stanza) && failure?.permanent !== true) return held.hold(local, remote, stanza, failure?.error ?? link);
        ctx.log.debug({ s2s: 'out', local, remote, text: link.text }, 'server link in back-off; bouncing stanza');
        await bounce(ctx.router, stanza, link).catch((e: unknown) => ctx.log.warn({ err: e }, 'bounce failed'));
        return;
      }
      if (await link.send(stanza, carriedOver)) return;
    }
    ctx.log.warn({ s2s: 'out', local, remote }, 'no outgoing link took the stanza');
  }

  return {
    async send(stanza: Element, from: Jid, to: Jid) {
      const ctx = getContext();
      // Only our own domains can be authenticated to a peer; relaying for others is not allowed.
      if (!ctx.hosts.has(from.domain)) {
        ctx.log.warn({ from: from.toString(), to: to.toString() }, 'not relaying a stanza from a domain not served here');
        return;
      }
      // While messages for the pair are held, newer ones queue behind them.
      if (held.isHolding(from.domain, to.domain) && held.holds(stanza)) return held.hold(from.domain, to.domain, stanza);
      await deliver(ctx, pairKey(from.domain, to.domain), from.domain, to.domain, stanza);
    },
    list() {
      return [...links.values()];
    },
    failures() {
      const ctx = getContext();
      const now = ctx.clock.now();
      return backoffOf(ctx)
        .entries()
        .filter((entry) => !links.get(entry.key) || links.get(entry.key)!.closed)
        .map((entry) => {
          const [local, remote] = entry.key.split(' ') as [string, string];
          return failedLinkStatus(local, remote, entry, now);
        });
    },
    resumeHeld: () => held.resume(),
    settled: () => held.settled(),
    closeAll() {
      stopping = true;
      held.stop();
      for (const link of [...links.values()]) link.close();
      links.clear();
    },
  };
}
