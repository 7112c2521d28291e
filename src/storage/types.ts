// Storage interfaces: one repository per concern. Every implementation (memory, sqlite, later
// postgres) passes the one contract suite in test/storage/.
import type { ArchiveRepository } from './archive-types.js';
import type { InviteRepository } from './invite-types.js';

export type * from './archive-types.js';
export type * from './invite-types.js';
import type { AbuseReportRepository, BlocklistRepository } from './blocking-types.js';

export type * from './archive-types.js';
export type * from './blocking-types.js';
import type { MucRepository } from './muc-types.js';

export type * from './muc-types.js';

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/** SCRAM salted credential (RFC 5802 §3): enough to verify a login, never the password. */
export interface ScramCredential {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export interface UserRecord {
  domain: string;
  username: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface UserRepository {
  /** Creates the account; false if it already exists. */
  create(domain: string, username: string, credentials: ScramCredential[], createdAt: number): Promise<boolean>;
  exists(domain: string, username: string): Promise<boolean>;
  getCredential(domain: string, username: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined>;
  /** Replaces all credentials of the account; false if there is no such account. */
  setCredentials(domain: string, username: string, credentials: ScramCredential[]): Promise<boolean>;
  /** Deletes the account and everything stored for it; false if there was none. */
  delete(domain: string, username: string): Promise<boolean>;
  /** Accounts ordered by domain then username; all domains when domain is undefined. */
  list(domain?: string): Promise<UserRecord[]>;
}

/** Small per-account or per-domain values for modules that need no table of their own. */
export interface KeyValueRepository {
  get(scope: string, key: string): Promise<string | undefined>;
  set(scope: string, key: string, value: string): Promise<void>;
  delete(scope: string, key: string): Promise<boolean>;
  /**
   * Sets the value only while it is still `expected` (undefined: absent), as one atomic step;
   * false (nothing changed) when another writer got there first. For read-modify-write cycles
   * that several nodes may run on the same key at once.
   */
  compareAndSet(scope: string, key: string, expected: string | undefined, value: string): Promise<boolean>;
}

/** RFC 6121 §2.1.2.5 subscription states. */
export type Subscription = 'none' | 'to' | 'from' | 'both';

/** One contact in an account's roster (RFC 6121 §2.1). */
export interface RosterItem {
  /** The contact's bare JID, normalised. */
  jid: string;
  /** Handle chosen by the user; absent when none. */
  name?: string;
  subscription: Subscription;
  /** An outbound subscription request is pending (shown as ask='subscribe'). */
  ask: boolean;
  /** The user pre-approved the contact's subscription (RFC 6121 §3.4). */
  approved: boolean;
  groups: string[];
}

/**
 * What is kept of an inbound subscription request (RFC 6121 §3.1.3): who asked, and what a
 * client shows the user about it; never the whole stanza, which a remote server controls.
 */
export interface PendingRequest {
  /** The contact's bare JID, normalised. */
  jid: string;
  /** The request's <status/> text. */
  status?: string;
  /** XEP-0172 nickname. */
  nick?: string;
}

/** Per-account bounds on pending requests; bytes are counted by pendingRequestBytes(). */
export interface PendingLimits {
  maxCount: number;
  maxBytes: number;
}

/** What an atomic roster update (RosterRepository.update) sees of one contact. */
export interface RosterEntry {
  item: RosterItem | undefined;
  /** The contact's inbound subscription request awaits the user's answer. */
  pendingIn: boolean;
  /** Items in the account's roster. */
  count: number;
}

/** What an atomic roster update writes; parts left out stay as they are. */
export interface RosterEntryChange<T> {
  /** Handed back to the caller unchanged. */
  result: T;
  /** Create or replace the item, or remove it. */
  item?: RosterItem | 'remove';
  /**
   * Store the contact's request within the limits (replacing its earlier one), or remove it. A
   * new request that does not fit refuses the whole update (nothing is written); a replacement
   * that does not fit leaves the earlier request, and the item is written all the same.
   */
  pendingIn?: { request: PendingRequest; limits: PendingLimits } | 'remove';
}

export interface RosterEntryUpdate<T> {
  result: T;
  /** The item as it was before. */
  before: RosterItem | undefined;
  /** The new roster version when the item was written or removed. */
  version?: number;
  /** A new pending request did not fit its limits, so nothing was written. */
  refused: boolean;
}

export interface RosterChange {
  jid: string;
  /** The item as it is now; absent when it was removed. */
  item?: RosterItem;
}

/**
 * Rosters, keyed by the account's bare JID string. Every change bumps the account's roster
 * version (a counter; RFC 6121 §2.6 treats it as opaque), so versioned gets can be answered
 * with only what changed.
 */
export interface RosterRepository {
  get(account: string): Promise<{ version: number; items: RosterItem[] }>;
  getItem(account: string, contact: string): Promise<RosterItem | undefined>;
  /** Creates or replaces the item; resolves with the new roster version. */
  put(account: string, item: RosterItem): Promise<number>;
  /** Removes the item; resolves with the new version, or undefined when there was none. */
  remove(account: string, contact: string): Promise<number | undefined>;
  /**
   * What changed after `version`, oldest first, one entry per contact (its latest state), with
   * the current version; undefined when `version` is unknown (then send the whole roster).
   */
  changesSince(account: string, version: number): Promise<{ version: number; changes: RosterChange[] } | undefined>;
  count(account: string): Promise<number>;
  /**
   * Stores the contact's inbound subscription request awaiting the user's answer (RFC 6121
   * §3.1.3), or replaces its earlier one (keeping its place in arrival order). Checking the
   * account's count and bytes and inserting are one atomic step, so concurrent writers cannot
   * both slip past the limits; false (nothing stored) when the request would exceed them.
   */
  addPendingIn(account: string, request: PendingRequest, limits: PendingLimits): Promise<boolean>;
  hasPendingIn(account: string, contact: string): Promise<boolean>;
  removePendingIn(account: string, contact: string): Promise<boolean>;
  /** Oldest first. */
  pendingIn(account: string): Promise<PendingRequest[]>;
  /** Deletes everything of the account (called when the account is deleted). */
  deleteAccount(account: string): Promise<void>;
  /**
   * Reads the contact's entry, lets `decide` (synchronous, no I/O) say what to write, and writes
   * it, as one atomic step per account: no other change to the account's roster, from this
   * process or another node, comes in between. When `decide` throws, nothing is written.
   */
  update<T>(account: string, contact: string, decide: (entry: RosterEntry) => RosterEntryChange<T>): Promise<RosterEntryUpdate<T>>;
}

/** A message kept for an account that had no available resource (XEP-0160). */
export interface OfflineMessage {
  /** The XEP-0359 stanza-id the server gave the message; unique per account. */
  stanzaId: string;
  /** The message as XML, already carrying its <delay/> and <stanza-id/>. */
  stanza: string;
  /** Milliseconds since the epoch. */
  storedAt: number;
}

export type OfflineStoreResult = 'stored' | 'duplicate' | 'full';

/**
 * Offline message queues, keyed by the account's bare JID string. `store` resolves only once the
 * message is durably committed; a message in flight is stored at most once (same stanza-id).
 */
export interface OfflineRepository {
  /** Appends unless the account already holds `limit` messages ('full') or this stanza-id ('duplicate'). */
  store(account: string, message: OfflineMessage, limit: number): Promise<OfflineStoreResult>;
  /** Oldest first; at most `limit` when given. */
  list(account: string, limit?: number): Promise<OfflineMessage[]>;
  /** Deletes the given messages; resolves with how many existed. */
  delete(account: string, stanzaIds: readonly string[]): Promise<number>;
  count(account: string): Promise<number>;
  deleteAccount(account: string): Promise<void>;
  /** Every queue together, and the `largest` fullest ones, fullest first (metrics, admin console). */
  queues(largest: number): Promise<OfflineQueues>;
}

export interface OfflineQueues {
  /** Accounts holding at least one message. */
  accounts: number;
  messages: number;
  /** Fullest first; ties by account. */
  largest: Array<{ account: string; count: number }>;
}

/** A message kept for a remote domain that could not be reached (s2s store-and-forward). */
export interface HeldStanza {
  /** Queue position: increasing in the order stanzas were held, never reused. */
  seq: number;
  /** Our domain the message leaves from, and the remote domain it goes to: one queue per pair. */
  local: string;
  remote: string;
  /** The sending account's bare JID, for the per-account bound. */
  sender: string;
  /** The stanza as XML. */
  stanza: string;
  /** Milliseconds since the epoch. */
  heldAt: number;
}

export interface HeldLimits {
  /** Messages one sending account may have held, all peers together. */
  perAccount: number;
  /** Bytes (UTF-8 of the stanza XML) one sending account may have held, this message included. */
  bytesPerAccount: number;
  /** Messages one (local, remote) pair may hold, all senders together. */
  perPeer: number;
}

export type HoldResult = 'held' | 'account-full' | 'peer-full';

/**
 * Per (local domain, remote domain) queues of messages waiting for an unreachable peer. `hold`
 * resolves only once the message is durably committed; the limit checks and the insert are one
 * atomic step, so concurrent writers (other nodes included) cannot exceed them.
 */
export interface HeldStanzaRepository {
  hold(entry: Omit<HeldStanza, 'seq'>, limits: HeldLimits): Promise<HoldResult>;
  /** The pair's queue, oldest first, at most `limit`. */
  list(local: string, remote: string, limit: number): Promise<HeldStanza[]>;
  /** Deletes by seq; resolves with how many existed. */
  delete(seqs: readonly number[]): Promise<number>;
  /** Every pair holding at least one message, ordered by local then remote domain. */
  pairs(): Promise<Array<{ local: string; remote: string }>>;
}

/** XEP-0060 §4.5 access models (the ones PEP uses; `authorize` is not offered). */
export type PubsubAccessModel = 'open' | 'presence' | 'roster' | 'whitelist';
/** XEP-0060 pubsub#send_last_published_item. */
export type SendLastPublishedItem = 'never' | 'on_sub' | 'on_sub_and_presence';

/** A node's configuration (XEP-0060 §16.4.4 pubsub#node_config), as the service applies it. */
export interface PubsubNodeConfig {
  accessModel: PubsubAccessModel;
  /** pubsub#roster_groups_allowed: with accessModel 'roster', contacts in one of these groups. */
  rosterGroups: string[];
  /** false: only the newest item is kept (for send_last_published_item), see docs/protocols.md. */
  persistItems: boolean;
  /** How many items the node keeps; `max` in a form is the service's limit. */
  maxItems: number;
  sendLastPublishedItem: SendLastPublishedItem;
  notifyRetract: boolean;
  /** pubsub#title, free text. */
  title?: string;
}

export interface PubsubNode {
  /** The node name (e.g. `urn:xmpp:omemo:2:devices`). */
  node: string;
  config: PubsubNodeConfig;
}

export interface PubsubItem {
  id: string;
  /** The item's payload element as XML (one element, or empty for a notification-only item). */
  payload: string;
  /** Bare JID of the publisher. */
  publisher: string;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  /** Publication order within the node: larger is newer; a republished id gets a new one. */
  seq: number;
}

export type PubsubAffiliation = 'owner' | 'publisher' | 'member' | 'outcast';

/** Newest first; `olderThan` (a seq from a previous page) continues a listing (keyset paging). */
export interface PubsubItemQuery {
  max?: number;
  olderThan?: number;
}

export type PubsubCreateResult = 'created' | 'exists' | 'full';

/** What one publish may use: items the node keeps, and bytes of payload the whole owner may hold. */
export interface PubsubPublishLimits {
  keep: number;
  maxOwnerBytes: number;
}

/** The stored item's seq; or why nothing was stored. */
export type PubsubPublishResult = { seq: number } | 'no-node' | 'owner-full';

/**
 * Publish-subscribe nodes with their items, affiliations and explicit subscriptions, keyed by
 * the owning service (for PEP, the account's bare JID) and the node name. Limits are checked in
 * the same atomic step that writes, so concurrent writers on several nodes cannot slip past them.
 */
export interface PubsubRepository {
  getNode(owner: string, node: string): Promise<PubsubNode | undefined>;
  /** Ordered by node name. */
  listNodes(owner: string): Promise<PubsubNode[]>;
  /** 'full' (nothing created) when the owner already has `maxNodes` nodes. */
  createNode(owner: string, node: string, config: PubsubNodeConfig, maxNodes: number): Promise<PubsubCreateResult>;
  /** Replaces the configuration and drops the oldest items beyond the new max; false without such a node. */
  configureNode(owner: string, node: string, config: PubsubNodeConfig): Promise<boolean>;
  /** Deletes the node with its items, affiliations and subscriptions; false without such a node. */
  deleteNode(owner: string, node: string): Promise<boolean>;
  /**
   * Stores the item (replacing one with the same id, which then counts as newest) and drops the
   * oldest items so at most `keep` remain, in one transaction; 'owner-full' (nothing stored) when
   * the owner's payloads, the replaced item not counted, would exceed `maxOwnerBytes` (UTF-8).
   */
  publish(owner: string, node: string, item: Omit<PubsubItem, 'seq'>, limits: PubsubPublishLimits): Promise<PubsubPublishResult>;
  /** UTF-8 bytes of all the owner's item payloads. */
  ownerBytes(owner: string): Promise<number>;
  items(owner: string, node: string, query?: PubsubItemQuery): Promise<PubsubItem[]>;
  /** The items with these ids that exist, in the order asked. */
  itemsById(owner: string, node: string, ids: readonly string[]): Promise<PubsubItem[]>;
  /** The newest item of each of the owner's nodes that has one, by node name. */
  lastItems(owner: string): Promise<Array<{ node: string; item: PubsubItem }>>;
  /** Deletes the item; false when there was none. */
  retract(owner: string, node: string, id: string): Promise<boolean>;
  /** Deletes every item of the node; resolves with how many there were. */
  purge(owner: string, node: string): Promise<number>;
  /** Affiliations set explicitly (the owner's own is implicit), ordered by JID. */
  affiliations(owner: string, node: string): Promise<Array<{ jid: string; affiliation: PubsubAffiliation }>>;
  /** Sets a JID's affiliation; undefined removes it. False without such a node. */
  setAffiliation(owner: string, node: string, jid: string, affiliation: PubsubAffiliation | undefined): Promise<boolean>;
  /** Explicit subscription of a (bare or full) JID; false without such a node. */
  subscribe(owner: string, node: string, jid: string): Promise<boolean>;
  unsubscribe(owner: string, node: string, jid: string): Promise<boolean>;
  /** Ordered by JID. */
  subscribers(owner: string, node: string): Promise<string[]>;
  /** Deletes every node of the owner (called when the account is deleted). */
  deleteAccount(owner: string): Promise<void>;
}

/**
 * XEP-0484 FAST: one token slot of one client (user agent) of an account. No token is stored:
 * the token is derived from `seed` and the account's credentials (src/auth/fast-token-key.ts).
 */
export interface FastToken {
  /** Bare JID. */
  account: string;
  /** Hash of the client's XEP-0388 user-agent id. */
  client: string;
  /** XEP-0484 §6.1: 'new' until first used, then 'current'. */
  slot: 'current' | 'new';
  /** The HT-* mechanism the token was issued for (and may only be used with). */
  mechanism: string;
  seed: Buffer;
  /** Milliseconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

export interface FastTokenRepository {
  /** Puts a token in the client's 'new' slot, replacing an unused one there. */
  issue(token: Omit<FastToken, 'slot'>): Promise<void>;
  /** Both slots of one client (none, one or two tokens). */
  get(account: string, client: string): Promise<FastToken[]>;
  /**
   * The token with `seed` was used: if it is in the 'new' slot it becomes 'current', replacing
   * the older one, in one atomic step. False when it was not in 'new' (already current, or gone).
   */
  promote(account: string, client: string, seed: Buffer): Promise<boolean>;
  /** Deletes one client's tokens, or all of the account's; returns how many went. */
  revoke(account: string, client?: string): Promise<number>;
  /** Every token of the account, by client then slot. */
  list(account: string): Promise<FastToken[]>;
}

/** One element kept with XEP-0049 private XML storage, keyed by its name and namespace. */
export interface PrivateXmlEntry {
  name: string;
  namespace: string;
  /** The element as XML, its namespace declared. */
  xml: string;
}

/**
 * XEP-0049 private XML storage, keyed by the account's bare JID. `put` stores several elements
 * as one atomic step that also checks the account's byte limit (UTF-8 of all its stored XML,
 * the replaced elements not counted), so concurrent writers cannot exceed it.
 */
export interface PrivateXmlRepository {
  /** The stored XML, or undefined. */
  get(account: string, name: string, namespace: string): Promise<string | undefined>;
  /** Stores (replacing) every entry, or none: 'full' when the account would exceed maxAccountBytes. */
  put(account: string, entries: readonly PrivateXmlEntry[], maxAccountBytes: number): Promise<'stored' | 'full'>;
  /** UTF-8 bytes of everything the account stores. */
  accountBytes(account: string): Promise<number>;
  /** Every stored element of the account, by namespace then name (for XEP-0227 export). */
  list(account: string): Promise<PrivateXmlEntry[]>;
  deleteAccount(account: string): Promise<void>;
}

/** vCard-temp (XEP-0054), one per account (bare JID), as XML; its size is bounded by the module. */
export interface VCardRepository {
  get(account: string): Promise<string | undefined>;
  /** Creates or replaces the account's vCard. */
  put(account: string, vcard: string): Promise<void>;
  deleteAccount(account: string): Promise<void>;
}

/** An XEP-0357 push registration: where to publish notifications for an account. */
export interface PushRegistration {
  /** The app server's JID (the 'jid' of <enable/>). */
  service: string;
  node: string;
  /** The client's publish-options data form (XML), sent with every notification; undefined when none. */
  publishOptions: string | undefined;
}

/** A registration due a notification, with the messages it covers (this one and those held back). */
export interface PushDue extends PushRegistration {
  count: number;
}

/**
 * XEP-0357 push registrations per account (bare JID), keyed by (service, node). Rate limiting
 * lives here too, so every node of a domain shares it: `due` is one atomic step per account.
 */
export interface PushRepository {
  /** Adds or replaces (same service and node) a registration: 'full' when the account has maxPerAccount others. */
  enable(account: string, registration: PushRegistration, maxPerAccount: number): Promise<'stored' | 'full'>;
  /** Removes the account's registrations with `service` (only `node`'s when given); how many went. */
  disable(account: string, service: string, node?: string): Promise<number>;
  list(account: string): Promise<PushRegistration[]>;
  /**
   * A message for the account wants a notification at `now`: every registration last notified
   * at least `minIntervalMs` earlier is returned (and marked notified now) with the count of
   * messages since its last notification; the others count this one for their next.
   */
  due(account: string, now: number, minIntervalMs: number): Promise<PushDue[]>;
  deleteAccount(account: string): Promise<void>;
}

/** An XEP-0363 upload slot and, once PUT, its file's record (the bytes are on disk). */
export interface UploadSlot {
  /** Random and unguessable: it is the file's public URL. */
  id: string;
  /** The uploader's bare JID. */
  owner: string;
  filename: string;
  size: number;
  contentType: string;
  /** Authorises the one PUT; compared in constant time. */
  putToken: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The PUT must start before this. */
  putDeadline: number;
  /** The record and its file are deleted after this (extended when the file arrives). */
  expiresAt: number;
  uploadedAt?: number;
}

export interface UploadRepository {
  /**
   * Stores the slot unless the owner's unexpired slots (uploaded or not) plus this one would pass
   * `quotaBytes`; checked and inserted in one atomic step. False when over quota.
   */
  reserve(slot: UploadSlot, quotaBytes: number, now: number): Promise<boolean>;
  get(id: string): Promise<UploadSlot | undefined>;
  /** The file arrived: keep it until `expiresAt`. False when the slot is gone or already used. */
  markUploaded(id: string, uploadedAt: number, expiresAt: number): Promise<boolean>;
  /** Up to `limit` slots with expiresAt <= now, oldest first (their files are deleted, then they are forgotten). */
  expired(now: number, limit: number): Promise<UploadSlot[]>;
  forget(id: string): Promise<void>;
  /** The account was removed: every slot of it expires now (the server's sweep deletes the files). */
  expireAccount(owner: string, now: number): Promise<void>;
}

export interface Storage {
  users: UserRepository;
  kv: KeyValueRepository;
  roster: RosterRepository;
  offline: OfflineRepository;
  held: HeldStanzaRepository;
  pubsub: PubsubRepository;
  fastTokens: FastTokenRepository;
  /** Message archives (XEP-0313). */
  archive: ArchiveRepository;
  privateXml: PrivateXmlRepository;
  vcards: VCardRepository;
  /** Invitations to register or to become a contact (XEP-0401, XEP-0445, XEP-0379). */
  invites: InviteRepository;
  /** XEP-0357 push registrations. */
  push: PushRepository;
  /** HTTP upload slots and files (XEP-0363). */
  uploads: UploadRepository;
  /** XEP-0191 blocklists. */
  blocklists: BlocklistRepository;
  /** XEP-0377 reports attached to blocks. */
  abuseReports: AbuseReportRepository;
  /** XEP-0045 rooms. */
  muc: MucRepository;
  close(): Promise<void>;
}
