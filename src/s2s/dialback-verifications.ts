// Dialback verifications (XEP-0220 §2.1.2 step 2) shared across incoming streams. Identical
// requests (same domain pair, stream id and key) wait for the one verification in flight, and
// verifications for one (receiving, originating) pair run one at a time, so no peer, however many
// streams and requests it opens, makes Herald hold more than one verification connection per
// pair: a forged sender domain cannot turn Herald into a connection amplifier against it.
export type VerifyKey = (receiving: string, originating: string, streamId: string, key: string) => Promise<boolean>;

export class DialbackVerifications {
  /** Verifications asked for and not answered yet, by request. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** The last verification queued per domain pair: the next one starts after it. */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly check: VerifyKey) {}

  verify(receiving: string, originating: string, streamId: string, key: string): Promise<boolean> {
    const request = `${receiving} ${originating} ${streamId} ${key}`;
    const shared = this.inFlight.get(request);
    if (shared) return shared;
    const pair = `${receiving} ${originating}`;
    const previous = this.tails.get(pair) ?? Promise.resolve();
    const settled = () => undefined;
    const run = previous.then(settled, settled).then(() => this.check(receiving, originating, streamId, key));
    const tail = run.then(settled, settled);
    this.tails.set(pair, tail);
    this.inFlight.set(request, run);
    void tail.then(() => {
      this.inFlight.delete(request);
      if (this.tails.get(pair) === tail) this.tails.delete(pair);
    });
    return run;
  }

  /** Requests not answered yet (for tests and status). */
  get size(): number {
    return this.inFlight.size;
  }
}
