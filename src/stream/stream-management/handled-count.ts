// The XEP-0198 count of inbound stanzas handled. A stanza whose handling ends with something
// still on its way to another node (the cluster bus) counts once that is held there; counts
// advance in the order the stanzas came, so `h` never covers a stanza that could still be lost.
import { increment } from './counter.js';

export class HandledCount {
  private count = 0;
  /** The last handled stanza still waiting to be counted. */
  private pending: Promise<void> | undefined;

  get value(): number {
    return this.count;
  }

  /** One stanza handled; with `after`, it counts once that resolves (never before earlier ones). */
  handled(after?: Promise<void>): void {
    if (!after && !this.pending) {
      this.count = increment(this.count);
      return;
    }
    const mine: Promise<void> = (this.pending ?? Promise.resolve()).then(() => after).then(() => {
      this.count = increment(this.count);
      if (this.pending === mine) this.pending = undefined;
    });
    this.pending = mine;
  }

  /**
   * Undefined when every stanza handled so far is counted; else resolves once they are (later
   * ones may still be waiting): an <r/> is answered then, so its <a/> covers all before it.
   */
  get counting(): Promise<void> | undefined {
    return this.pending;
  }

  /** Resolves once every stanza handled so far is counted (and any handled meanwhile). */
  async settled(): Promise<void> {
    while (this.pending) await this.pending;
  }
}
