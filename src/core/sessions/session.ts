import type { Element } from '../../xml/element.js';
import type { OutgoingStanza } from '../../xml/serialized-stanza.js';
import type { Jid } from '../../protocol/jid.js';
import type { StreamError } from '../../protocol/stream-error.js';
import type { SessionRef } from './session-ref.js';
import type { OutboundFilter } from './outbound-filter.js';
import type { SessionDataStore } from './session-data.js';

/** A bound client session living on this node. Only per-session state belongs here. */
export interface LocalSession {
  readonly id: string;
  readonly jid: Jid;
  readonly remoteAddress: string;
  readonly secure: boolean;
  /** Availability and priority, kept in step with the registry by whoever changes them. */
  available: boolean;
  priority: number;
  /** The last available presence broadcast by this resource (RFC 6121 §4.4). */
  presence: Element | undefined;
  /** RFC 6121 §2.1.6: requested the roster. */
  interested: boolean;
  /** Per-session facts other nodes need (published in the SessionRef); modules own their keys. */
  readonly flags: Record<string, string>;
  /**
   * True when the client acknowledges what it receives (XEP-0198 enabled): every stanza sent is
   * then followed by a `stanza/acked` event once the client confirms it, or handed back to the
   * undelivered path if the session ends first. False: a stanza counts as delivered once written.
   */
  readonly confirmsDelivery: boolean;
  /** Per-session state of modules, keyed by a symbol each module owns. */
  readonly data: SessionDataStore;
  /** The registry record for this session, built from its current state. */
  ref(): SessionRef;
  /** Writes a stanza to the client. Returns false when the session is closed. */
  send(stanza: Element): boolean;
  /**
   * Resolves true once the session can take more without its outbound queue growing past the
   * high-water mark, false once it has ended. Writers that send many stanzas in a row (offline
   * flush, subscription replay, resumption) await it between stanzas instead of filling memory.
   */
  whenWritable(): Promise<boolean>;
  /**
   * Sends a stanza and calls `confirm(true)` once it reached the client: acknowledged with
   * XEP-0198, or else handed to the network; `confirm(false)` when the session ended first (the
   * stanza then took the undelivered path: offline storage or a bounce). For writers that delete
   * what they send. A stanza that came as text (another node's bus) is written as it came.
   */
  sendConfirmed(stanza: OutgoingStanza, confirm: (delivered: boolean) => void): void;
  /** More is waiting for the client than its connection takes right now (it reads slowly). */
  readonly congested: boolean;
  /**
   * Installs (or, with undefined, removes) a module's policy that may hold stanzas back from the
   * client (XEP-0352); held stanzas are written, in order, when it lets one through, when it is
   * removed, or when they reach the outbound queue's high-water mark; a session that ends
   * re-homes them like anything it held. Held stanzas are not yet sent, so XEP-0198 does not
   * count them. A resumed stream has no filter.
   */
  setOutboundFilter(filter: OutboundFilter | undefined): void;
  /** Closes the stream, optionally with a stream error. */
  close(error?: StreamError): void;
}
