import type { SessionRef } from './session-ref.js';

/**
 * The cluster-wide view of bound sessions. Promise-based so a shared implementation can replace
 * the single-node one without touching callers.
 */
export interface SessionRegistry {
  /** Records a bound session; resolves with the session it replaced at the same full JID, if any. */
  add(ref: SessionRef): Promise<SessionRef | undefined>;
  /** Removes the session if the record at its JID is still this one (same id). */
  remove(ref: SessionRef): Promise<boolean>;
  /** Replaces the stored record for ref.id (availability, priority). */
  update(ref: SessionRef): Promise<void>;
  /** Records are snapshots: read-only (frozen here), changed only through update(). */
  byFullJid(fullJid: string): Promise<Readonly<SessionRef> | undefined>;
  /** The account's sessions; the list may be shared with other callers, so it is read-only too. */
  byBareJid(bareJid: string): Promise<readonly Readonly<SessionRef>[]>;
  /**
   * byBareJid's answer when it is known without waiting (this node's own registry); undefined
   * means ask byBareJid. For handlers that run for every message and usually find nothing to do,
   * where a promise and a microtask per look-up cost more than the look-up itself.
   */
  peekBareJid?(bareJid: string): readonly Readonly<SessionRef>[] | undefined;
  count(): Promise<number>;
}

/** byBareJid, answered without a promise when the registry knows at once (peekBareJid). */
export function sessionsOfAccountNow(registry: SessionRegistry, bareJid: string): readonly Readonly<SessionRef>[] | Promise<readonly Readonly<SessionRef>[]> {
  return registry.peekBareJid?.(bareJid) ?? registry.byBareJid(bareJid);
}
