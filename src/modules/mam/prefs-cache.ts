// Archiving preferences are read for every archived message (twice per message: sender and
// recipient) and change rarely, so each node keeps the ones it read recently. The cache is only a
// cache: a set on this node replaces its entry at once, and the node tells the others (a node
// notice, PREFS_CHANGED), which drop theirs. An entry is also dropped after PREFS_CACHE_MS, a
// bound on staleness should notices be lost. Bounded, so many accounts cannot grow it without limit.
import type { ArchivePrefs } from './prefs.js';

export const PREFS_CACHE_MS = 10_000;
/** Node notice topic: the account's (key) archiving preferences changed through another node. */
export const PREFS_CHANGED = 'mam/prefs-changed';
const MAX_ENTRIES = 10_000;

export interface PrefsCache {
  get(account: string, now: number): ArchivePrefs | undefined;
  set(account: string, prefs: ArchivePrefs, now: number): void;
  forget(account: string): void;
  clear(): void;
}

export function createPrefsCache(): PrefsCache {
  const entries = new Map<string, { prefs: ArchivePrefs; until: number }>();
  return {
    get(account, now) {
      const entry = entries.get(account);
      if (!entry) return undefined;
      if (entry.until > now) return entry.prefs;
      entries.delete(account);
      return undefined;
    },
    set(account, prefs, now) {
      // Oldest first: a Map iterates in insertion order, so re-inserting keeps it roughly LRU.
      entries.delete(account);
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(account, { prefs, until: now + PREFS_CACHE_MS });
    },
    forget: (account) => void entries.delete(account),
    clear: () => entries.clear(),
  };
}
