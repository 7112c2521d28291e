// The registry's hot-path cache: an account's sessions as last read from Redis, dropped when any
// node announces a change (pub/sub). A read that was in flight when a notice arrived is handed to
// its caller but not kept, so the cache never holds what a notice already declared old. While
// the notice channel is down nothing is cached: a missed notice must not leave a stale entry.
import type { SessionRef } from '../../core/sessions/session-ref.js';

type Sessions = readonly Readonly<SessionRef>[];

/** Accounts cached at most; past it the cache starts again (cheap, and only costs re-reads). */
const MAX_ENTRIES = 100_000;

export interface SessionCache {
  get(bareJid: string, load: () => Promise<Sessions>): Promise<Sessions>;
  invalidate(bareJid: string): void;
  /** The notice channel is up (true) or down (false); either way nothing cached survives. */
  setListening(listening: boolean): void;
  readonly hits: number;
  readonly misses: number;
}

export function createSessionCache(): SessionCache {
  const cached = new Map<string, Sessions>();
  /** Loads in flight, each with whether a notice arrived meanwhile. */
  const loading = new Map<string, { promise: Promise<Sessions>; stale: boolean }>();
  let listening = false;
  let hits = 0;
  let misses = 0;

  return {
    async get(bareJid, load) {
      const hit = cached.get(bareJid);
      if (hit) {
        hits++;
        return hit;
      }
      misses++;
      const inFlight = loading.get(bareJid);
      if (inFlight && !inFlight.stale) return inFlight.promise;
      const entry = { promise: load(), stale: !listening };
      loading.set(bareJid, entry);
      try {
        const sessions = await entry.promise;
        if (!entry.stale && listening) {
          if (cached.size >= MAX_ENTRIES) cached.clear();
          cached.set(bareJid, sessions);
        }
        return sessions;
      } finally {
        if (loading.get(bareJid) === entry) loading.delete(bareJid);
      }
    },
    invalidate(bareJid) {
      cached.delete(bareJid);
      const inFlight = loading.get(bareJid);
      if (inFlight) inFlight.stale = true;
    },
    setListening(up) {
      listening = up;
      cached.clear();
      for (const entry of loading.values()) entry.stale = true;
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
  };
}
