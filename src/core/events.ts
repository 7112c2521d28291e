// The one typed event catalogue: every hook name and its payload type. Modules register
// handlers for these names only; adding a XEP adds at most one entry here.
import type { Element } from '../xml/element.js';
import type { OutgoingStanza } from '../xml/serialized-stanza.js';
import type { Jid } from '../protocol/jid.js';
import type { StanzaError } from '../protocol/stanza-error.js';
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
  /** The JID asked: the domain, or the account's bare JID. */
  jid: Jid;
  /** Who asks; what a node shows may depend on it (XEP-0060 §5.4 on a PEP node it may not access). */
  requester: Jid;
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

/** A session that ended without its node saying so (the node died); fired once, on a survivor. */
export interface SessionLostEvent {
  /** Its last registry record (availability, presence, flags). */
  ref: Readonly<SessionRef>;
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
  /** A full JID of a client session, local or (with `account`) on another server. */
  jid: Jid;
  feature: string;
  /** For a JID on another server: the local account it sent its presence to (its caps are learnt per account). */
  account?: Jid;
  /** Set by whoever knows: true/false; left undefined when unknown. */
  supported?: boolean;
}

/** A resource on another server whose available presence reached a local account (XEP-0115 learnt from it). */
export interface RemoteResourceEvent {
  /** The local account (bare) the presence was sent to. */
  account: Jid;
  /** The remote full JID. */
  jid: Jid;
}

/** Lists the remote resources of `contact` whose available presence reached `account`, with caps known. */
export interface RemoteResourcesEvent {
  account: Jid;
  /** The contact's bare JID. */
  contact: Jid;
  /** Filled by whoever keeps track: full JIDs. */
  resources: string[];
}

export interface StanzaAckedEvent {
  session: LocalSession;
  /** What the client acknowledged: text from another node stays text until looked into (treeOf). */
  stanza: OutgoingStanza;
}

/** A top-level element from a bound client that is no stanza (a nonza such as XEP-0352's <inactive/>). */
export interface NonzaEvent {
  session: LocalSession;
  element: Element;
}

/** A stanza written to a session whose connection is gone while it waits to be resumed (XEP-0198). */
export interface HibernatedStanzaEvent {
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

/**
 * XEP-0077 registration on a stream that has not authenticated, before the form is shown and
 * again before the account is made. A module may admit a stream although open registration is
 * off (an invitation, XEP-0445), or refuse a name (reserved for someone invited).
 */
export interface RegistrationAdmissionEvent {
  stream: PreAuthStream;
  domain: string;
  /** The name asked for, when the client is registering (absent when it asks for the form). */
  username?: string;
  /** Set by a module that lets this stream register even where open registration is off. */
  admitted?: boolean;
  /** Set by a module that refuses this registration; sent to the client as is. */
  refusal?: StanzaError;
  /** Run once registration ended: with the new account, or undefined when it was not made. */
  settle: ((account: Jid | undefined) => Promise<void>)[];
}

/**
 * The server acts for a local account as if one of its clients had sent this subscription
 * stanza (RFC 6121 §3), e.g. to make an inviter and invitee contacts. Claimed by the roster.
 */
export interface SubscriptionOnBehalfEvent {
  account: Jid;
  contact: Jid;
  type: 'subscribe' | 'subscribed';
}

/** XEP-0050: the ad-hoc commands a requester may run on a served domain (modules add theirs). */
export interface AdhocListEvent {
  domain: string;
  requester: Jid;
  commands: Array<{ node: string; name: string }>;
}

/**
 * XEP-0050 §3.4: one execution step of a command listed for the requester. The module owning
 * the node claims it and sets `reply` (a <command/>); throw a StanzaError to refuse.
 */
export interface AdhocExecuteEvent {
  domain: string;
  requester: Jid;
  node: string;
  /** The request's <command/> (action, sessionid, a submitted form). */
  command: Element;
  reply?: Element;
}

/** A login attempt that failed (observers only: metrics). Never carries password material. */
export interface AuthFailedEvent {
  /** The SASL mechanism, or '-' before one was chosen. */
  mechanism: string;
  /** Why: a SASL condition (`not-authorized`, …) or `account-locked`. */
  reason: string;
}

/** One storage call finished (observers only: metrics). */
export interface StorageTimedEvent {
  /** The repository (`offline`, `roster`, `users`, …): the operation class. */
  repository: string;
  seconds: number;
}

/** One server-to-server link as an observer sees it (a subset of `herald s2s status`). */
export interface S2sLinkSummary {
  direction: 'in' | 'out';
  state: string;
  remote: string[];
}

/** Collects the newest lines of this node's log (JSON lines, oldest first), for the admin console. */
export interface LogRecentEvent {
  max: number;
  lines: string[];
}

/** Collects the live server-to-server links (filled by whoever runs them). */
export interface S2sLinksEvent {
  links: S2sLinkSummary[];
}

/**
 * Another node of the domain said `key` of `topic` changed (Delivery.notifyNodes); topics belong
 * to the modules that send them. Both undefined: this node may have missed notices (the channel
 * was down), so every module treats everything it cached from shared state as changed.
 */
export interface NodeNoticeEvent {
  topic: string | undefined;
  key: string | undefined;
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
  /** A session on a node that died was cleared from the registry (several nodes only). */
  'session/lost': SessionLostEvent;
  /** A roster item was created, changed or removed (subscription changes included). */
  'roster/changed': RosterChangedEvent;
  /** A message was written to local sessions (for carbons and similar). */
  'message/delivered': MessageDeliveredEvent;
  /** "Does this client support X?" (XEP-0115 caps / XEP-0030). */
  'caps/query': CapsQueryEvent;
  /** A session's XEP-0115 caps became known (verified or found cached); `caps/query` now answers for it. */
  'caps/known': SessionEvent;
  /** A remote resource's caps became known (it came online, or changed its caps): `caps/query` with `account` answers for it. */
  'caps/remote-known': RemoteResourceEvent;
  /** Collects the remote resources of a contact whose caps are known (RemoteResourcesEvent). */
  'caps/remote-resources': RemoteResourcesEvent;
  /** The client acknowledged a stanza the server sent it (XEP-0198 <a h/>). */
  'stanza/acked': StanzaAckedEvent;
  /** XEP-0049 get/set of one element: a module keeping it elsewhere claims it (PrivateXmlEvent). */
  'private/get': PrivateXmlEvent;
  'private/set': PrivateXmlEvent;
  /** A PEP publish or retract (PepChangedEvent), for modules that mirror a node elsewhere. */
  'pep/changed': PepChangedEvent;
  /** Registration before login: may this stream register, and this name (RegistrationAdmissionEvent)? */
  'register/admission': RegistrationAdmissionEvent;
  /** The roster applies a subscription stanza for a local account with no client involved. */
  'roster/subscription-on-behalf': SubscriptionOnBehalfEvent;
  /** XEP-0050 commands offered to a requester (AdhocListEvent). */
  'adhoc/list': AdhocListEvent;
  /** XEP-0050 execution of a listed command, claimed by its module (AdhocExecuteEvent). */
  'adhoc/execute': AdhocExecuteEvent;
  /** A bound client sent a nonza; the module that knows its namespace claims it (else a stream error). */
  'c2s/nonza': NonzaEvent;
  /** A message was durably committed to offline storage (after `message/offline` stored it). */
  'message/stored-offline': StanzaEvent;
  /** A stanza was queued for a hibernating session (XEP-0198: connection lost, not yet resumed or ended). */
  'session/hibernated-stanza': HibernatedStanzaEvent;
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
  /**
   * Traffic observers, told synchronously (EventBus.notify) with the stanza itself so nothing is
   * allocated per stanza: a stanza read from a bound client or a server link, and one written
   * to either. Handlers must only look.
   */
  'c2s/stanza-in': Element;
  /** What a client session writes (text from another node's bus is not parsed for it). */
  'c2s/stanza-out': OutgoingStanza;
  's2s/stanza-in': Element;
  's2s/stanza-out': Element;
  /** A login failed (notify only). */
  'auth/failed': AuthFailedEvent;
  /** A storage call finished (notify only); fired only while someone observes it. */
  'storage/timed': StorageTimedEvent;
  /** Collects the server-to-server links (S2sLinksEvent). */
  's2s/links': S2sLinksEvent;
  /** Collects the newest log lines of this node (LogRecentEvent); empty when the log is not kept. */
  'log/recent': LogRecentEvent;
  /** Another node's notice (NodeNoticeEvent); several nodes only. */
  'node/notice': NodeNoticeEvent;
}

export type EventName = keyof EventCatalogue;
