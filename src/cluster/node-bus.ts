import type { Element } from '../xml/element.js';
import type { SerializedStanza } from '../xml/serialized-stanza.js';
import type { StreamErrorCondition } from '../protocol/stream-error.js';
import type { SessionRef } from '../core/sessions/session-ref.js';

/** Carries work to a session on another node. */
export interface NodeBus {
  /**
   * Resolves true once the stanza is on its way, in order behind everything sent before it: the
   * target node (or, should it die, a survivor) becomes responsible for it once `settled()`
   * resolves, and should the target turn out to be gone meanwhile the bus routes the stanza
   * again itself, as a fresh one. False when the node is known not to be alive, so the caller
   * treats the session as gone.
   */
  deliver(ref: SessionRef, stanza: Element): Promise<boolean>;
  /**
   * Undefined when nothing is on its way; else resolves once everything delivered so far is
   * held by its target node (or was routed again). What may count a stanza as handled (a
   * client's XEP-0198 count) waits for it.
   */
  settled(): Promise<void> | undefined;
  /** While stanzas a gone node refused are being routed again: resolves once they were. */
  rerouting(): Promise<void> | undefined;
  close(ref: SessionRef, condition: StreamErrorCondition): Promise<void>;
  /** A stanza for the node itself (an answer to a request it sent); false when it is not alive. */
  toNode(nodeId: string, stanza: Element): Promise<boolean>;
  /**
   * Tells every other node that `key` of `topic` changed (a module's cache entry, an account's
   * offline queue). Resolves once the bus took it on; never rejects (a notice is a hint: a node
   * that may have missed some is told so, see NodeBusReceiver.notice).
   */
  notify(topic: string, key: string): Promise<void>;
}

/** The receiving side: what a node does with work the bus brought it. */
export interface NodeBusReceiver {
  /**
   * A stanza for one of this node's sessions, as the bus carried it (text, written to the client
   * as it came). `settled` is called once the bus may forget it: the client confirmed it, or it
   * took the undelivered path (offline storage, another resource, or a bounce). Returns a promise
   * only when the next entry must wait for this one (its session is gone and it is routed again),
   * so entries are handed on in arrival order without a promise each.
   */
  stanza(sessionId: string, stanza: SerializedStanza, settled: () => void): Promise<void> | undefined;
  close(sessionId: string, condition: StreamErrorCondition): void;
  /** A stanza whose session is gone: routed again, as if it had just arrived. */
  reroute(stanza: Element): Promise<void>;
  /** A stanza for this node itself (an answer to one of its requests): routed here. */
  forNode(stanza: Element): Promise<void>;
  /** Another node's notice; `key` undefined: notices may have been missed, treat everything as changed. */
  notice(topic: string | undefined, key: string | undefined): void;
}

/** One node serves everything: a session on any other node cannot exist. */
export function createSingleNodeBus(): NodeBus {
  return {
    async deliver() {
      return false;
    },
    settled: () => undefined,
    rerouting: () => undefined,
    async close() {},
    async toNode() {
      return false;
    },
    async notify() {},
  };
}
