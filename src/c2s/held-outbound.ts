// Stanzas an outbound filter (core/sessions/outbound-filter.ts) kept back, in arrival order. A
// stanza that supersedes an older one of the same key takes the newest place, so what is
// released is still in the order the session was sent it.
import type { Element } from '../xml/element.js';

interface Held {
  stanza: Element;
  key: string | undefined;
  dropped: boolean;
}

export class HeldOutbound {
  private entries: Held[] = [];
  private readonly byKey = new Map<string, Held>();
  private live = 0;

  get count(): number {
    return this.live;
  }

  hold(stanza: Element, key: string | undefined): void {
    if (key !== undefined) {
      const older = this.byKey.get(key);
      if (older) {
        older.dropped = true;
        this.live -= 1;
      }
    }
    const entry: Held = { stanza, key, dropped: false };
    this.entries.push(entry);
    if (key !== undefined) this.byKey.set(key, entry);
    this.live += 1;
  }

  /** Removes and returns every held stanza, oldest first. */
  take(): Element[] {
    const released = this.entries.filter((entry) => !entry.dropped).map((entry) => entry.stanza);
    this.entries = [];
    this.byKey.clear();
    this.live = 0;
    return released;
  }
}
