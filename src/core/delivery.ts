// The one place that decides "local socket or another node".
import type { Element } from '../xml/element.js';
import { StreamError, type StreamErrorCondition } from '../protocol/stream-error.js';
import type { NodeBus } from '../cluster/node-bus.js';
import type { LocalSession } from './sessions/session.js';
import type { SessionRef } from './sessions/session-ref.js';

export interface Delivery {
  /** Sessions whose sockets live on this node, by session id. */
  readonly local: Map<string, LocalSession>;
  toSession(ref: SessionRef, stanza: Element): Promise<boolean>;
  closeSession(ref: SessionRef, condition: StreamErrorCondition, text?: string): Promise<void>;
}

export function createDelivery(nodeId: string, bus: NodeBus): Delivery {
  const local = new Map<string, LocalSession>();
  return {
    local,
    async toSession(ref, stanza) {
      if (ref.nodeId !== nodeId) return bus.deliver(ref, stanza);
      const session = local.get(ref.id);
      return session ? session.send(stanza) : false;
    },
    async closeSession(ref, condition, text) {
      if (ref.nodeId !== nodeId) return bus.close(ref, condition);
      local.get(ref.id)?.close(new StreamError(condition, text));
    },
  };
}
