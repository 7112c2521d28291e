// Remembers outgoing links that could not be opened, so that a peer that is down is not dialled
// again for every stanza: after a failure, stanzas for that (local, remote) pair are bounced at
// once with the remembered reason until the back-off period is over; then the next stanza tries
// again. The period starts at `initialMs` and doubles per consecutive failure up to `maxMs`; a
// link that opens forgets the failures.
import { StanzaError } from '../protocol/stanza-error.js';
import type { Clock } from '../util/clock.js';

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

interface Failure {
  /** What the stanzas queued on the failed link were bounced with. */
  error: StanzaError;
  /** Trying again cannot help (see LinkFailure); messages are bounced, not held. */
  permanent: boolean;
  /** Consecutive failures so far (≥ 1). */
  count: number;
  /** When the last attempt failed. */
  at: number;
  /** No new attempt before this. */
  retryAt: number;
}

export class LinkBackoff {
  private readonly failures = new Map<string, Failure>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: () => BackoffSettings,
  ) {}

  /** Records a failed attempt; returns how long no new attempt will be made (ms). */
  failed(key: string, error: StanzaError, permanent = false): number {
    const now = this.clock.now();
    this.forgetStale(now);
    const { initialMs, maxMs } = this.settings();
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    // 2^(count-1) overflows to Infinity for absurd counts; min() still gives maxMs.
    const delay = Math.min(maxMs, initialMs * 2 ** (count - 1));
    this.failures.set(key, { error, permanent, count, at: now, retryAt: now + delay });
    return delay;
  }

  /** A link opened: the next failure starts from the initial period again. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /**
   * While in a back-off period: the error to bounce a stanza with, the remembered reason plus
   * when the last attempt was and when the next may be. Undefined: an attempt may be made.
   */
  refusal(key: string): StanzaError | undefined {
    const failure = this.failures.get(key);
    if (failure === undefined) return undefined;
    const now = this.clock.now();
    if (now >= failure.retryAt) return undefined;
    const ago = Math.floor((now - failure.at) / 1000);
    // Rounded up: "next attempt in 0 s" would read as if it were happening now.
    const next = Math.ceil((failure.retryAt - now) / 1000);
    const text = `${failure.error.text ?? failure.error.condition} (last attempt ${ago} s ago; next attempt in ${next} s)`;
    return new StanzaError(failure.error.condition, text, failure.error.type);
  }

  /** Milliseconds until the pair may be dialled again; 0 when it may be now. */
  retryInMs(key: string): number {
    const failure = this.failures.get(key);
    return failure === undefined ? 0 : Math.max(0, failure.retryAt - this.clock.now());
  }

  /** The last failed attempt for the pair, while remembered: its error, and whether it was permanent. */
  lastFailure(key: string): { error: StanzaError; permanent: boolean } | undefined {
    return this.failures.get(key);
  }

  /** Every pair remembered now, with its last failure: what `herald s2s status` shows as failed. */
  entries(): Array<{ key: string; reason: string; permanent: boolean; count: number; at: number; retryAt: number }> {
    this.forgetStale(this.clock.now());
    return [...this.failures].map(([key, f]) => ({ key, reason: f.error.text ?? f.error.condition, permanent: f.permanent, count: f.count, at: f.at, retryAt: f.retryAt }));
  }

  /** Pairs remembered now (for tests and status). */
  get size(): number {
    return this.failures.size;
  }

  /**
   * Failures long past their period are forgotten, so that a server sending once to many dead
   * domains does not keep an entry for each forever. An entry is kept until a whole maximum
   * period has passed after its retry time: a peer failing again within that counts as
   * consecutive, and its period keeps doubling.
   */
  private forgetStale(now: number): void {
    const { maxMs } = this.settings();
    for (const [key, failure] of this.failures) {
      if (now > failure.retryAt + maxMs) this.failures.delete(key);
    }
  }
}
