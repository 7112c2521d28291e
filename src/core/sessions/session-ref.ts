import { flatten } from '../../util/flat-string.js';

/**
 * Who is online where: a plain, serialisable record so a shared registry (e.g. Redis) can hold
 * it when several nodes serve one domain.
 */
export interface SessionRef {
  /** Unique across the cluster. */
  id: string;
  /** The node whose socket this session lives on. */
  nodeId: string;
  /** Bound full JID, normalised. */
  jid: string;
  /** RFC 6121 §4.2: available once initial presence was sent, until unavailable. */
  available: boolean;
  /** RFC 6121 §4.7.2.3 priority of the last available presence (-128..127). */
  priority: number;
  /** The last available presence broadcast (XML), for answering probes from any node. */
  presence?: string;
  /** RFC 6121 §2.1.6: the resource requested the roster, so it gets roster pushes. */
  interested: boolean;
  /** Small per-session facts that other nodes need, keyed by the owning module (e.g. carbons). */
  flags: Record<string, string>;
}

/** The registry record of a session's current state (the one place that shapes a SessionRef). */
export function sessionRefOf(
  session: {
    id: string;
    jid: { toString(): string };
    available: boolean;
    priority: number;
    presence: { toString(): string } | undefined;
    interested: boolean;
    flags: Record<string, string>;
  },
  nodeId: string,
): SessionRef {
  return {
    id: session.id,
    nodeId,
    jid: session.jid.toString(),
    available: session.available,
    priority: session.priority,
    // Kept as long as the session is available: one flat string, not the serialiser's pieces.
    ...(session.presence ? { presence: flatten(session.presence.toString()) } : {}),
    interested: session.interested,
    flags: { ...session.flags },
  };
}
