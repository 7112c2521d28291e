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
}
