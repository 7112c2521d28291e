// What a node does with work the bus brings it. A stanza for a session here is queued on it and
// forgotten by the bus only once the client confirmed it or the session re-homed it; a stanza
// whose session is gone (it ended, or its node died) is routed again from scratch, so it reaches
// another resource or offline storage exactly as a fresh one would.
import type { Element } from '../xml/element.js';
import { StreamError } from '../protocol/stream-error.js';
import type { Delivery } from '../core/delivery.js';
import type { EventBus } from '../core/event-bus.js';
import type { Router } from '../core/router.js';
import { isCarbonCopy } from '../c2s/stream-management/undelivered.js';
import type { Logger } from '../util/logger.js';
import type { NodeBusReceiver } from './node-bus.js';

export function createBusReceiver(deps: { delivery: Delivery; router: Router; events: EventBus; log: Logger }): NodeBusReceiver {
  const { delivery, router, events, log } = deps;

  async function reroute(stanza: Element): Promise<void> {
    const type = stanza.attrs.type;
    // Answers and carbon copies were for that session alone; presence is state, not history.
    if (type === 'error' || type === 'result' || stanza.name === 'presence' || isCarbonCopy(stanza)) return;
    try {
      await router.route(stanza);
    } catch (error) {
      log.error({ err: error, id: stanza.attrs.id }, 'could not route a stanza whose session was gone');
    }
  }

  return {
    stanza(sessionId, stanza, settled) {
      const session = delivery.local.get(sessionId);
      if (session) {
        session.sendConfirmed(stanza, settled);
        return undefined;
      }
      return reroute(stanza.element()).then(settled);
    },
    close(sessionId, condition) {
      delivery.local.get(sessionId)?.close(new StreamError(condition));
    },
    reroute,
    async forNode(stanza) {
      try {
        await router.route(stanza);
      } catch (error) {
        log.error({ err: error, id: stanza.attrs.id }, 'could not route a stanza forwarded to this node');
      }
    },
    notice(topic, key) {
      events.fire('node/notice', { topic, key }).catch((error: unknown) => log.error({ err: error, topic }, 'a node notice handler failed'));
    },
  };
}
