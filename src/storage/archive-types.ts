// Message archives (XEP-0313): one per account, in the order messages were archived.

export type ArchiveDirection = 'in' | 'out';

export interface ArchivedMessage {
  /** The archive id: the XEP-0359 stanza-id the account's clients see; unique per account. */
  id: string;
  /** The other party's JID as it appeared on the message (full or bare), normalised. */
  with: string;
  direction: ArchiveDirection;
  /** The message's own 'id' attribute (XEP-0424 retractions name it); absent when it had none. */
  messageId?: string;
  /** The message as XML. */
  stanza: string;
  /**
   * Milliseconds since the epoch: when it was received (in) or sent (out). Storage raises one
   * earlier than the archive's newest to that (a clock stepped back), so that time filters
   * follow archive order.
   */
  timestamp: number;
}

export interface ArchiveQuery {
  /** A bare JID matches every resource of it; a full JID only itself (XEP-0313 §4.1.1). */
  with?: string;
  /** Inclusive bounds on the timestamp. */
  start?: number;
  end?: number;
  /** Exclusive bounds by archive id (form after-id/before-id and RSM after/before together). */
  after?: readonly string[];
  before?: readonly string[];
  /** Only these archive ids. */
  ids?: readonly string[];
  /** Page size. */
  max: number;
  /** Take the page from the newest end of the matches (RSM <before/>), not the oldest. */
  fromEnd: boolean;
}

export interface ArchivePage {
  /** Chronological. */
  messages: ArchivedMessage[];
  /** No further match lies beyond the page in the direction it was taken. */
  complete: boolean;
}

export interface ArchiveBounds {
  first?: { id: string; timestamp: number };
  last?: { id: string; timestamp: number };
}

/**
 * Archives keyed by the account's bare JID string. Pages are read by keyset (the archive's own
 * order), never by OFFSET, so the newest page of a million-message archive costs the same as
 * the first. `append` resolves once the message is durably committed.
 */
export interface ArchiveRepository {
  /**
   * Adds the message at the end; false (nothing stored) when the account already holds its id.
   * `promptly`: someone waits for this append before going on (a room stores a message before
   * sending it), so it commits at the end of this event-loop turn instead of waiting to share a
   * commit with later appends.
   */
  append(account: string, message: ArchivedMessage, options?: { promptly?: boolean }): Promise<boolean>;
  /** undefined when an id named in after/before/ids is not in the archive (item-not-found). */
  query(account: string, query: ArchiveQuery): Promise<ArchivePage | undefined>;
  /** The newest message of the account from `direction` and conversation `withBare` carrying `messageId`. */
  findByMessageId(account: string, withBare: string, direction: ArchiveDirection, messageId: string): Promise<ArchivedMessage | undefined>;
  /** Replaces a message's stanza (retraction tombstones, moderation), keeping id, place and timestamp. */
  replaceStanza(account: string, id: string, stanza: string): Promise<boolean>;
  bounds(account: string): Promise<ArchiveBounds>;
  count(account: string): Promise<number>;
  /** Deletes the account's messages older than `before` (its oldest ones); resolves with how many. */
  expire(account: string, before: number): Promise<number>;
  /** Deletes the account's whole archive; resolves with how many messages it held. */
  deleteAccount(account: string): Promise<number>;
}
