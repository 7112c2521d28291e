// Store-and-forward for federation: a message for a remote domain whose link cannot be opened is
// held in storage instead of bounced, and sent when a link opens, for up to
// s2s.retry.messageDeadlineSeconds (then bounced with the real cause). Per (local, remote) pair:
// while anything is held, newer messages go into storage behind it, so order is kept; retries
// follow the link back-off (backoff.ts); held queues survive a restart and are retried at start.
// Storage work for one pair runs one task at a time (append, a page of draining, expiry), and
// each task is queued synchronously when asked for, so stanzas keep the order they came in.
// Only messages are held; other stanzas keep today's immediate bounce (see link-manager.ts).
import { bounce } from '../core/stanza-sender.js';
import { tryParseJid } from '../protocol/jid.js';
import { StanzaError } from '../protocol/stanza-error.js';
import type { HeldStanza, HeldStanzaRepository } from '../storage/types.js';
import { buildElement } from '../xml/element-builder.js';
import type { Element } from '../xml/element.js';
import { serialize } from '../xml/serialize.js';
import type { OutboundLink } from './outbound-link.js';
import type { S2sContext } from './s2s-context.js';
import { notHeldText, undeliveredError } from './held-errors.js';

/** Held messages read from storage at a time. */
const PAGE = 100;
/** Above this many bytes waiting in a link's socket, draining waits for the peer to read. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;
const DRAIN_POLL_MS = 20;

export interface HeldMessagesDeps {
  context(): S2sContext;
  repo: HeldStanzaRepository;
  /** The pair's live link or a new one (as the link manager gives it), or the back-off refusal. */
  linkFor(local: string, remote: string): OutboundLink | StanzaError;
  /** Milliseconds until the pair may be dialled again (0: now). */
  retryInMs(local: string, remote: string): number;
}

interface Pair {
  local: string;
  remote: string;
  /** The last reason a link could not be opened (for the error at the deadline). */
  lastError: StanzaError | undefined;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  /** hold() calls not stored yet: the pair is not empty while any is pending. */
  appending: number;
}

const pairKey = (local: string, remote: string) => `${local} ${remote}`;

export class HeldMessages {
  private readonly pairs = new Map<string, Pair>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(private readonly deps: HeldMessagesDeps) {}

  /** Whether this stanza would be held rather than bounced (a message, and a deadline is set). */
  holds(stanza: Element): boolean {
    return stanza.name === 'message' && stanza.attrs.type !== 'error' && this.deps.context().config.s2s.retry.messageDeadlineSeconds > 0;
  }

  /** Messages for the pair are held now: newer ones must queue behind them. */
  isHolding(local: string, remote: string): boolean {
    return this.pairs.has(pairKey(local, remote));
  }

  /** Stores the message behind what the pair holds (queued at once, so order is kept). */
  hold(local: string, remote: string, stanza: Element, cause?: StanzaError): Promise<void> {
    const pair = this.pairOf(local, remote);
    if (cause) {
      pair.lastError = cause;
      // Held because an attempt failed: that attempt counts.
      pair.attempts ||= 1;
    }
    pair.appending += 1;
    return this.serial(pair, () => this.append(pair, stanza)).finally(() => (pair.appending -= 1));
  }

  /** A link for a pair opened: send what is held. */
  linkOpened(link: OutboundLink): void {
    const pair = this.pairs.get(pairKey(link.local, link.remote));
    if (pair) void this.drain(pair, link);
  }

  /**
   * A link could not be opened: remember why, bounce what is past the deadline (everything, when
   * the failure is permanent), retry later.
   */
  linkFailed(local: string, remote: string, error: StanzaError, permanent: boolean): void {
    const pair = this.pairs.get(pairKey(local, remote));
    if (!pair) return;
    pair.lastError = error;
    pair.attempts += 1;
    void this.serial(pair, () => this.expire(pair, permanent));
    if (!permanent) this.scheduleRetry(pair);
  }

  /** At start: every pair with held messages is tried again at once. */
  async resume(): Promise<void> {
    const held = await this.deps.repo.pairs();
    for (const { local, remote } of held) this.attempt(this.pairOf(local, remote));
    if (held.length > 0) this.deps.context().log.info({ pairs: held.length }, 'retrying messages held for unreachable servers');
  }

  stop(): void {
    this.stopped = true;
    for (const pair of this.pairs.values()) clearTimeout(pair.timer);
  }

  /** Resolves once no storage work is running (messages being stored finish before storage closes). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private pairOf(local: string, remote: string): Pair {
    const key = pairKey(local, remote);
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = { local, remote, lastError: undefined, attempts: 0, timer: undefined, appending: 0 };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  private serial<T>(pair: Pair, task: () => Promise<T>): Promise<T> {
    const key = pairKey(pair.local, pair.remote);
    const run = (this.chains.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch((error: unknown) => this.deps.context().log.error({ err: error, remote: pair.remote }, 'held message task failed'));
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private async append(pair: Pair, stanza: Element): Promise<void> {
    const ctx = this.deps.context();
    const retry = ctx.config.s2s.retry;
    const sender = tryParseJid(stanza.attrs.from)?.bare.toString() ?? pair.local;
    const entry = { local: pair.local, remote: pair.remote, sender, stanza: serialize(stanza), heldAt: ctx.clock.now() };
    const limits = { perAccount: retry.maxMessagesPerAccount, bytesPerAccount: retry.maxBytesPerAccount, perPeer: retry.maxMessagesPerPeer };
    let result;
    try {
      result = await this.deps.repo.hold(entry, limits);
    } catch (error) {
      // Not stored: the sender must hear of it rather than the message vanish.
      ctx.log.error({ err: error, s2s: 'out', remote: pair.remote, sender }, 'cannot store message for unreachable server; bouncing it');
      const cause = pair.lastError?.text ?? `${pair.remote} cannot be reached`;
      await bounce(ctx.router, stanza, new StanzaError('internal-server-error', `${cause}, and the message could not be stored for a later attempt`));
      return;
    }
    if (result === 'held') {
      ctx.log.info({ s2s: 'out', local: pair.local, remote: pair.remote, sender, id: stanza.attrs.id }, 'message held for unreachable server');
      this.scheduleRetry(pair);
      return;
    }
    const text = notHeldText(result, pair.remote, sender, retry);
    ctx.log.warn({ s2s: 'out', remote: pair.remote, sender, result }, 'message for unreachable server not held: bound reached');
    await bounce(ctx.router, stanza, new StanzaError('resource-constraint', text));
  }

  /** `minMs`: wait at least this long (a link that opens and dies at once is not redialled in a loop). */
  private scheduleRetry(pair: Pair, minMs = 0): void {
    if (pair.timer !== undefined || this.stopped) return;
    pair.timer = setTimeout(() => this.attempt(pair), Math.max(minMs, this.deps.retryInMs(pair.local, pair.remote)));
    pair.timer.unref();
  }

  /** Opens a link (or finds the open one); its opening or failure drives what happens next. */
  private attempt(pair: Pair): void {
    clearTimeout(pair.timer);
    pair.timer = undefined;
    if (this.stopped) return;
    const link = this.deps.linkFor(pair.local, pair.remote);
    if (link instanceof StanzaError) this.scheduleRetry(pair);
    else if (link.ready) void this.drain(pair, link);
  }

  private async drain(pair: Pair, link: OutboundLink): Promise<void> {
    let sent = 0;
    for (;;) {
      const outcome = await this.serial(pair, () => this.drainPage(pair, link));
      sent += outcome.sent;
      if (outcome.state === 'more') continue;
      const ctx = this.deps.context();
      if (outcome.state === 'done') ctx.log.info({ s2s: 'out', local: pair.local, remote: pair.remote, sent }, 'held messages delivered');
      else this.scheduleRetry(pair, ctx.config.s2s.retry.initialBackoffSeconds * 1000);
      return;
    }
  }

  /** One page: sends it (bouncing what is past the deadline) and deletes what left. */
  private async drainPage(pair: Pair, link: OutboundLink): Promise<{ state: 'more' | 'done' | 'interrupted'; sent: number }> {
    if (this.stopped || !link.ready) return { state: 'interrupted', sent: 0 };
    const page = await this.deps.repo.list(pair.local, pair.remote, PAGE);
    if (page.length === 0) {
      // A message being stored now goes out with the next page.
      if (pair.appending > 0) return { state: 'more', sent: 0 };
      // Nothing more: newer messages may go straight to the link again.
      this.forget(pair);
      return { state: 'done', sent: 0 };
    }
    const gone: number[] = [];
    let sent = 0;
    let state: 'more' | 'interrupted' = 'more';
    for (const held of page) {
      if (this.expired(held)) {
        await this.bounceExpired(pair, held);
      } else if (!(await this.writable(link)) || !(await link.send(buildElement(held.stanza)))) {
        state = 'interrupted';
        break;
      } else {
        sent += 1;
      }
      gone.push(held.seq);
    }
    await this.deps.repo.delete(gone);
    return { state, sent };
  }

  /** Bounces the held messages past the deadline (the oldest come first), or all; forgets an empty pair. */
  private async expire(pair: Pair, all = false): Promise<void> {
    for (;;) {
      const page = await this.deps.repo.list(pair.local, pair.remote, PAGE);
      const expired = all ? page : page.filter((held) => this.expired(held));
      for (const held of expired) await this.bounceExpired(pair, held, all);
      await this.deps.repo.delete(expired.map((held) => held.seq));
      if (page.length === 0 || (expired.length === page.length && page.length < PAGE)) {
        if (pair.appending === 0) this.forget(pair);
        return;
      }
      if (expired.length < page.length) return;
    }
  }

  private forget(pair: Pair): void {
    clearTimeout(pair.timer);
    pair.timer = undefined;
    this.pairs.delete(pairKey(pair.local, pair.remote));
  }

  private expired(held: HeldStanza): boolean {
    const ctx = this.deps.context();
    return ctx.clock.now() - held.heldAt >= ctx.config.s2s.retry.messageDeadlineSeconds * 1000;
  }

  /** `permanent`: bounced because trying again cannot help, not for the deadline. */
  private async bounceExpired(pair: Pair, held: HeldStanza, permanent = false): Promise<void> {
    const ctx = this.deps.context();
    const error = undeliveredError(pair.remote, pair.lastError, pair.attempts, ctx.config.s2s.retry.messageDeadlineSeconds, permanent);
    ctx.log.info({ s2s: 'out', local: pair.local, remote: pair.remote, sender: held.sender }, 'held message past its deadline; bouncing it');
    await bounce(ctx.router, buildElement(held.stanza), error).catch((e: unknown) => ctx.log.warn({ err: e }, 'bounce failed'));
  }

  /** Waits while the link's socket holds more than it should (a peer reading slowly). */
  private async writable(link: OutboundLink): Promise<boolean> {
    if (link.bufferedBytes <= HIGH_WATER_BYTES) return link.ready;
    while (link.ready && link.bufferedBytes > LOW_WATER_BYTES) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    return link.ready;
  }
}
