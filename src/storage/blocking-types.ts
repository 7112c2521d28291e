// Blocklists (XEP-0191) and the reports users attach to a block (XEP-0377).

/**
 * Each account's blocked JIDs, keyed by the account's bare JID string. An entry is a JID as the
 * user gave it, normalised: a full JID, a bare JID, `domain/resource` or a domain. Adding checks
 * the account's limit in the same atomic step that writes, so concurrent writers (other nodes
 * included) cannot exceed it.
 */
export interface BlocklistRepository {
  /** The account's blocked JIDs, ordered by JID. */
  list(account: string): Promise<string[]>;
  /**
   * Adds the JIDs not listed yet; 'full' (nothing added) when the list would then hold more than
   * `limit`. Resolves with the JIDs newly added, in the order given.
   */
  block(account: string, jids: readonly string[], limit: number): Promise<string[] | 'full'>;
  /** Removes the JIDs; resolves with those that were listed. */
  unblock(account: string, jids: readonly string[]): Promise<string[]>;
  /** Empties the list; resolves with what it held (also used when the account is deleted). */
  unblockAll(account: string): Promise<string[]>;
}

/** XEP-0377: why a user blocked someone, kept for the server's administrators. */
export interface AbuseReport {
  /** Assigned by storage, increasing in the order reports arrive. */
  id: number;
  /** The reporting account's bare JID. */
  reporter: string;
  /** The JID that was blocked and reported, as in the block item. */
  reported: string;
  /** The report's reason URI (e.g. urn:xmpp:reporting:spam). */
  reason: string;
  /** What the user wrote, if anything. */
  text?: string;
  /** XEP-0359 stanza-ids of the reported messages (XEP-0377 §6), as the client named them. */
  stanzaIds: string[];
  /** Milliseconds since the epoch. */
  reportedAt: number;
}

export interface AbuseReportFilter {
  /** Only reports made by accounts of this domain. */
  domain?: string;
  /** Only these reports. */
  ids?: readonly number[];
}

export interface AbuseReportRepository {
  /**
   * Stores a report unless its reporter already has `perReporterLimit` stored (checked in the
   * same atomic step); resolves with its id, or undefined when it was not stored.
   */
  add(report: Omit<AbuseReport, 'id'>, perReporterLimit: number): Promise<number | undefined>;
  /** Oldest first. */
  list(filter?: AbuseReportFilter): Promise<AbuseReport[]>;
  /** Deletes the matching reports; resolves with how many there were. */
  clear(filter?: AbuseReportFilter): Promise<number>;
}
