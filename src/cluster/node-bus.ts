import type { Element } from '../xml/element.js';
import type { StreamErrorCondition } from '../protocol/stream-error.js';
import type { SessionRef } from '../core/sessions/session-ref.js';

/** Carries work to a session on another node. */
export interface NodeBus {
  deliver(ref: SessionRef, stanza: Element): Promise<boolean>;
  close(ref: SessionRef, condition: StreamErrorCondition): Promise<void>;
}

/** One node serves everything: a session on any other node cannot exist. */
export function createSingleNodeBus(): NodeBus {
  return {
    async deliver() {
      return false;
    },
    async close() {},
  };
}
