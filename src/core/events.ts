// The one typed event catalogue: every hook name and its payload type. Modules register
// handlers for these names only; adding a XEP adds at most one entry here.
import type { Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import type { LocalSession } from './sessions/session.js';
import type { SessionRef } from './sessions/session-ref.js';
import type { RosterItem } from '../storage/types.js';

export type StanzaKind = 'message' | 'presence' | 'iq';
/** RFC 6121 addressing: a full JID, a bare JID, or the domain itself. */
export type AddressKind = 'full' | 'bare' | 'host';

export interface StanzaEvent {
  /** The stanza, stamped and with a normalised `to`; treat as immutable (clone before changing). */
  stanza: Element;
  from: Jid;
  to: Jid;
  /** The local client session that sent it, when it came from one. */
  origin?: LocalSession;
}

export type StanzaEventName = `${StanzaKind}/${AddressKind}` | `pre-${StanzaKind}/${AddressKind}`;

/**
 * The order in which presence a local client sends to its own account (`pre-presence/bare`:
 * broadcasts, and subscription stanzas to its own domain's users) is processed, top to bottom.
 * Handlers run by descending priority; the last two claim the stanza, the others only look.
 */
export const PRE_PRESENCE_BARE = {
  /** vcard: puts the XEP-0153 avatar hash into available presence before anyone reads it (XEP-0398 §4). */
  photoHash: 50,
  /** caps: learns the client's XEP-0115 capabilities from its presence. */
  learnCaps: 40,
  /** roster: at initial presence, replays the subscription requests still unanswered (RFC 6121 §3.1.3). */
  replaySubscriptionRequests: 30,
  /** offline: at available presence, starts delivering stored messages; at unavailable, stops (XEP-0160). */
  offlineDelivery: 20,
  /** pep: at initial presence, sends the last published items the resource is interested in (XEP-0163 §4.3.3). */
  pepLastItems: 15,
  /** last-activity: at unavailable presence, records when the account went offline and why (XEP-0012 §4). */
  recordLogout: 12,
  /** roster: subscription stanzas the user sends (RFC 6121 Appendix A.2); claims them. */
  outboundSubscriptions: 10,
  /** presence: makes the session (un)available and broadcasts it, or routes directed presence (RFC 6121 §4); claims it. */
  broadcast: 0,
} as const;

/** `session/closed` observers that must see the session as it was, before presence marks it unavailable. */
export const SESSION_CLOSED = {
  /** last-activity: a session that ends while available counts as going offline (XEP-0012 §4). */
  recordLogout: 10,
  /** presence: the unavailable presence owed for a session that just ended (RFC 6121 §4.5.2). */
  unavailable: 0,
} as const;

/**
 * Handlers that may refuse a stanza addressed to a local account before anything delivers,
 * stores or archives it (`message/*`, `presence/*`, `iq/*` on the recipient's host): blocking.
 */
export const INBOUND_FILTER = 100;

export interface FeaturesEvent {
  session: LocalSession | undefined;
  /** `pre-auth`: secured but not yet authenticated; `post-auth`: after SASL. */
  stage: 'pre-auth' | 'post-auth';
  domain: string;
  features: Element[];
}

export interface DiscoInfoEvent {
  /** The host itself, or an account's bare JID. */
  target: 'host' | 'account';
  domain: string;
  node: string | undefined;
  identities: Array<{ category: string; type: string; name?: string }>;
  features: Set<string>;
  /** XEP-0128 extended information: data forms (`jabber:x:data`, type result) with a FORM_TYPE. */
  extensions: Element[];
}

export interface DiscoItemsEvent {
  /** The host itself, or an account's bare JID. */
  target: 'host' | 'account';
  /** The JID asked: the domain, or the account's bare JID. */
  jid: Jid;
  /** Who asks; what an account lists may depend on it (XEP-0163 §8: PEP nodes it may access). */
  requester: Jid;
  node: string | undefined;
  items: Array<{ jid: string; node?: string; name?: string }>;
}

export interface SessionEvent {
  session: LocalSession;
}

export interface SessionClosedEvent extends SessionEvent {
  /** Why it ended, for logs and for modules deciding what to do with undelivered state. */
  reason: string;
}

export interface UnauthenticatedStanzaEvent {
  /** A stream that has not authenticated (e.g. XEP-0077 registration before login). */
  stream: PreAuthStream;
  domain: string;
  stanza: Element;
}

/** What a module may do with a stream that has not authenticated yet. */
export interface PreAuthStream {
  readonly id: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  send(element: Element): void;
}

export interface RosterChangedEvent {
  /** The account whose roster changed (bare). */
  account: Jid;
  /** The contact (bare). */
  contact: Jid;
  before: RosterItem | undefined;
  after: RosterItem | undefined;
}

export interface MessageDeliveredEvent extends StanzaEvent {
  /** The sessions the message was written to. */
  recipients: SessionRef[];
}

export interface CapsQueryEvent {
  /** A full JID of a client session. */
  jid: Jid;
  feature: string;
  /** Set by whoever knows: true/false; left undefined when unknown. */
  supported?: boolean;
}

export interface StanzaAckedEvent {
  session: LocalSession;
  stanza: Element;
}

/** XEP-0386 Bind 2: features a module can switch on inline, as disco feature vars. */
export interface InlineFeaturesEvent {
  domain: string;
  features: Set<string>;
}

/** XEP-0386 Bind 2: a new session asked (in `request`, the <bind/>) for features to start with. */
export interface InlineEnableEvent {
  session: LocalSession;
  request: Element;
  /** Answers to go into <bound/>, where the feature defines one. */
  results: Element[];
}

/**
 * An XEP-0049 private XML element an account reads or writes. A module that keeps this element
 * elsewhere (bookmarks, kept as XEP-0402 items) claims the event: on `private/get` it sets
 * `result`, on `private/set` it has stored `element` itself (or throws a StanzaError).
 */
export interface PrivateXmlEvent {
  /** The account's bare JID. */
  account: Jid;
  name: string;
  namespace: string;
  /** private/set: the element to store, its namespace declared. */
  element?: Element;
  /** private/get: the answer, set by the module that claims the event. */
  result?: Element;
}

/** An item was published to or retracted from an account's PEP node (after it is stored and notified). */
export interface PepChangedEvent {
  /** The account's bare JID. */
  owner: Jid;
  node: string;
  /** Who asked: a client's full JID, or the bare JID when a module asked for the account. */
  requester: Jid;
}

export interface EventCatalogue extends Record<StanzaEventName, StanzaEvent> {
  /** A chat/normal message found no available resource (RFC 6121 §8.5). */
  'message/offline': StanzaEvent;
  'c2s/features': FeaturesEvent;
  'c2s/unauthenticated-stanza': UnauthenticatedStanzaEvent;
  'disco/info': DiscoInfoEvent;
  /** Collects XEP-0030 items; a handler that knows the asked node claims it (else item-not-found). */
  'disco/items': DiscoItemsEvent;
  'c2s/inline-features': InlineFeaturesEvent;
  /** Fired before `session/bound`, and before the client learns its JID. */
  'session/inline-enable': InlineEnableEvent;
  'session/bound': SessionEvent;
  'session/closed': SessionClosedEvent;
  /** A roster item was created, changed or removed (subscription changes included). */
  'roster/changed': RosterChangedEvent;
  /** A message was written to local sessions (for carbons and similar). */
  'message/delivered': MessageDeliveredEvent;
  /** "Does this client support X?" (XEP-0115 caps / XEP-0030). */
  'caps/query': CapsQueryEvent;
  /** A session's XEP-0115 caps became known (verified or found cached); `caps/query` now answers for it. */
  'caps/known': SessionEvent;
  /** The client acknowledged a stanza the server sent it (XEP-0198 <a h/>). */
  'stanza/acked': StanzaAckedEvent;
  /** XEP-0049 get/set of one element: a module keeping it elsewhere claims it (PrivateXmlEvent). */
  'private/get': PrivateXmlEvent;
  'private/set': PrivateXmlEvent;
  /** A PEP publish or retract (PepChangedEvent), for modules that mirror a node elsewhere. */
  'pep/changed': PepChangedEvent;
  /**
   * A stanza from an account of a hosted domain to any other entity, before the router does
   * anything else with it: what its clients send (before `pre-…`) and what modules send for it
   * (broadcast presence, probe answers, replies; PEP notifications, which skip the router, fire
   * it through core/modules/deliver-for-account.ts). A handler that claims it stops it, and
   * answers the client (event.origin) if one is owed an answer.
   */
  'stanza/outbound': StanzaEvent;
  /**
   * A message kept for an account (offline storage) is about to be delivered to it; `from` is its
   * sender, `to` the account. A handler that claims it has it discarded instead.
   */
  'message/replay': StanzaEvent;
}

export type EventName = keyof EventCatalogue;
