// The one place that decides "local socket or another node", and where a sender feels a slow
// recipient: writing to a session that is not keeping up waits (a little) for it to drain, and
// since a session handles its inbound stanzas one at a time, the sender's reading pauses.
import type { Element } from '../xml/element.js';
import { StreamError, type StreamErrorCondition } from '../protocol/stream-error.js';
import type { NodeBus } from '../cluster/node-bus.js';
import type { LocalSession } from './sessions/session.js';
import type { SessionRef } from './sessions/session-ref.js';

/**
 * Longest a sender waits per stanza for a congested recipient. Long enough to slow a flood to
 * the recipient's pace, short enough that a recipient that never reads costs its senders
 * seconds, not their session; its own queue bound ends such a recipient eventually.
 */
export const SLOW_RECIPIENT_WAIT_MS = 2_000;

export interface Delivery {
  /** This node's id (the `nodeId` of its sessions' refs). */
  readonly nodeId: string;
  /** Sessions whose sockets live on this node, by session id. */
  readonly local: Map<string, LocalSession>;
  toSession(ref: SessionRef, stanza: Element): Promise<boolean>;
  /**
   * toSession, answered without a promise when nothing waits (a local session that keeps up):
   * for the message path, where a promise and a microtask per delivery cost more than the write.
   */
  toSessionNow(ref: SessionRef, stanza: Element): boolean | Promise<boolean>;
  closeSession(ref: SessionRef, condition: StreamErrorCondition, text?: string): Promise<void>;
  /** Hands a stanza to another node itself (e.g. the answer to an IQ it sent); false if it cannot. */
  toNode(nodeId: string, stanza: Element): Promise<boolean>;
  /**
   * Tells the other nodes of the domain that `key` of `topic` changed (they fire `node/notice`),
   * e.g. so they drop a cached copy; nothing to do on one node. Resolves once the bus took it.
   */
  notifyNodes(topic: string, key: string): Promise<void>;
  /**
   * Undefined when every stanza handed to another node is held there; else resolves once those
   * handed on so far are (NodeBus.settled). A stanza counts as handled for its sender after it.
   */
  settled(): Promise<void> | undefined;
  /** Before routing a sender's next stanza: resolves once stanzas a gone node refused were routed again. */
  rerouting(): Promise<void> | undefined;
}

export function createDelivery(nodeId: string, bus: NodeBus): Delivery {
  const local = new Map<string, LocalSession>();
  const toSessionNow = (ref: SessionRef, stanza: Element): boolean | Promise<boolean> => {
    if (ref.nodeId !== nodeId) return bus.deliver(ref, stanza);
    const session = local.get(ref.id);
    if (!session) return false;
    const accepted = session.send(stanza);
    return accepted && session.congested ? paceTo(session).then(() => true) : accepted;
  };
  return {
    nodeId,
    local,
    async toSession(ref, stanza) {
      return toSessionNow(ref, stanza);
    },
    toSessionNow,
    async closeSession(ref, condition, text) {
      if (ref.nodeId !== nodeId) return bus.close(ref, condition);
      local.get(ref.id)?.close(new StreamError(condition, text));
    },
    toNode(target, stanza) {
      return target === nodeId ? Promise.resolve(false) : bus.toNode(target, stanza);
    },
    notifyNodes: (topic, key) => bus.notify(topic, key),
    settled: () => bus.settled(),
    rerouting: () => bus.rerouting(),
  };
}

async function paceTo(session: LocalSession): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SLOW_RECIPIENT_WAIT_MS);
  });
  await Promise.race([session.whenWritable(), gaveUp]);
  clearTimeout(timer);
}
