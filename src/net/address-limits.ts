// Caps on client connections per remote address (IPv6: per /64): open connections, and those
// not authenticated yet. One small record per connection and one counter pair per address: no
// timers or closures per connection, so it stays cheap at 100,000 sessions.
import { addressKey } from './address-key.js';

/** One admitted connection; kept by whoever owns the connection until it closes. */
export interface AddressAdmission {
  readonly key: string;
  /** Set once the connection authenticated: it then no longer counts as unauthenticated. */
  authenticated: boolean;
  /** Set once released, so a second release changes nothing. */
  released: boolean;
}

export interface AddressRefusal {
  readonly key: string;
  /** For the peer and the log: which limit was reached. */
  readonly text: string;
  /** True at most once a minute per address during a run of refusals (worth a warning). */
  readonly first: boolean;
}

export interface AddressLimits {
  /** Counts a new connection from `address`, or says why it is refused. */
  admit(address: string | undefined): AddressAdmission | AddressRefusal;
  /** The connection authenticated (SASL success). */
  authenticated(admission: AddressAdmission): void;
  /** The connection closed. */
  release(admission: AddressAdmission): void;
  /** Open and unauthenticated connections counted under a key (an admission's `key`). */
  counts(key: string): { connections: number; unauthenticated: number };
}

export interface AddressLimitsOptions {
  maxConnectionsPerAddress: number;
  maxUnauthenticatedPerAddress: number;
  /** Milliseconds now (injected by tests); only paces the refusal warnings. */
  now?: () => number;
}

/** A refused flood makes one warning a minute per address, not one per connection. */
const WARN_EVERY_MS = 60_000;

interface Counts {
  connections: number;
  unauthenticated: number;
  /** When a refusal was last reported as `first`; 0 never. */
  warnedAt: number;
}

export function isRefusal(outcome: AddressAdmission | AddressRefusal): outcome is AddressRefusal {
  return 'text' in outcome;
}

export function createAddressLimits(options: AddressLimitsOptions): AddressLimits {
  const byKey = new Map<string, Counts>();
  const now = options.now ?? Date.now;

  function refuse(key: string, counts: Counts, text: string): AddressRefusal {
    const time = now();
    const first = time - counts.warnedAt >= WARN_EVERY_MS;
    if (first) counts.warnedAt = time;
    return { key, text, first };
  }

  return {
    admit(address) {
      const key = addressKey(address ?? 'unknown');
      let counts = byKey.get(key);
      if (counts === undefined) byKey.set(key, (counts = { connections: 0, unauthenticated: 0, warnedAt: 0 }));
      if (counts.connections >= options.maxConnectionsPerAddress) {
        return refuse(key, counts, `too many connections from ${key} (at most ${options.maxConnectionsPerAddress}); close some and try again`);
      }
      if (counts.unauthenticated >= options.maxUnauthenticatedPerAddress) {
        return refuse(key, counts, `too many connections from ${key} that have not logged in (at most ${options.maxUnauthenticatedPerAddress}); try again shortly`);
      }
      counts.connections += 1;
      counts.unauthenticated += 1;
      return { key, authenticated: false, released: false };
    },

    authenticated(admission) {
      if (admission.authenticated || admission.released) return;
      admission.authenticated = true;
      const counts = byKey.get(admission.key);
      if (counts === undefined) return;
      counts.unauthenticated -= 1;
    },

    release(admission) {
      if (admission.released) return;
      admission.released = true;
      const counts = byKey.get(admission.key);
      if (counts === undefined) return;
      counts.connections -= 1;
      if (!admission.authenticated) counts.unauthenticated -= 1;
      if (counts.connections === 0) byKey.delete(admission.key);
    },

    counts(key) {
      const counts = byKey.get(key);
      return { connections: counts?.connections ?? 0, unauthenticated: counts?.unauthenticated ?? 0 };
    },
  };
}
