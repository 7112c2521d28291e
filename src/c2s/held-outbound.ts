// Stanzas an outbound filter (core/sessions/outbound-filter.ts) kept back, in arrival order. A
// stanza that supersedes an older one of the same key takes the newest place, so what is
// released is still in the order the session was sent it.
import type { Element } from '../xml/element.js';
import { serialize } from '../xml/serialize.js';
import type { OutboundFilter } from '../core/sessions/outbound-filter.js';

interface Held {
  stanza: Element;
  bytes: number;
  dropped: boolean;
}

export class HeldOutbound {
  /** The module's policy; none means nothing is held. */
  filter: OutboundFilter | undefined;
  private entries: Held[] = [];
  /** Made on the first superseding stanza: most sessions never have a filter that holds any. */
  private byKey: Map<string, Held> | undefined;
  private live = 0;
  private liveBytes = 0;

  get count(): number {
    return this.live;
  }

  /**
   * Holds `stanza` if the filter says so and it fits under `maxBytes`; false means it must be
   * written now, after everything held (take() them first).
   */
  keeps(stanza: Element, maxBytes: number): boolean {
    if (!this.filter) return false;
    const decision = this.filter.decide(stanza, this.live);
    if (!decision.hold) return false;
    const kept = decision.instead ?? stanza;
    const bytes = serialize(kept).length;
    if (this.liveBytes + bytes >= maxBytes) return false;
    this.hold(kept, decision.supersedes, bytes);
    return true;
  }

  private hold(stanza: Element, key: string | undefined, bytes: number): void {
    if (key !== undefined) {
      const older = this.byKey?.get(key);
      if (older) {
        older.dropped = true;
        this.live -= 1;
        this.liveBytes -= older.bytes;
      }
    }
    // Superseded entries wait for take(); a contact whose presence keeps changing must not grow
    // the list without bound, so they are swept once they outnumber the live ones.
    if (this.entries.length > 2 * this.live + 16) this.entries = this.entries.filter((held) => !held.dropped);
    const entry: Held = { stanza, bytes, dropped: false };
    this.entries.push(entry);
    if (key !== undefined) (this.byKey ??= new Map()).set(key, entry);
    this.live += 1;
    this.liveBytes += entry.bytes;
  }

  /** Removes and returns every held stanza, oldest first. */
  take(): Element[] {
    const released = this.entries.filter((entry) => !entry.dropped).map((entry) => entry.stanza);
    this.entries = [];
    this.byKey = undefined;
    this.live = 0;
    this.liveBytes = 0;
    return released;
  }
}
