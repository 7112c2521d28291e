// Issue 17: an answer to an IQ the server sent reaches the node that asked, when the client that
// answers is on another node. Two in-process nodes share one registry; their bus is a direct call.
import { describe, expect, it } from 'vitest';
import { xml, type Element } from '../../src/xml/element.js';
import { parseJid } from '../../src/protocol/jid.js';
import { createEventBus } from '../../src/core/event-bus.js';
import { createHosts } from '../../src/core/hosts.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { createIqDispatcher, type IqDispatcher } from '../../src/core/iq-dispatcher.js';
import { createDelivery, type Delivery } from '../../src/core/delivery.js';
import { createLocalSessionRegistry } from '../../src/core/sessions/local-session-registry.js';
import type { NodeBus } from '../../src/cluster/node-bus.js';
import type { LocalSession } from '../../src/core/sessions/session.js';
import { silentLogger } from '../../src/util/logger.js';

interface Node {
  router: Router;
  delivery: Delivery;
  iq: IqDispatcher;
}

describe('IQ answers across nodes', () => {
  it('RFC 6120 §8.2.3: the result from a client on node 2 resolves the request node 1 sent', async () => {
    const sessions = createLocalSessionRegistry();
    const nodes = new Map<string, Node>();
    const busTo = (): NodeBus => ({
      deliver: async (ref, stanza) => nodes.get(ref.nodeId)!.delivery.local.get(ref.id)!.send(stanza),
      close: async () => {},
      toNode: async (nodeId, stanza) => {
        await nodes.get(nodeId)!.router.route(stanza);
        return true;
      },
      notify: async () => {},
      settled: () => undefined,
      rerouting: () => undefined,
    });
    for (const id of ['node-1', 'node-2']) {
      const events = createEventBus();
      const router = createRouter({ events, hosts: createHosts([{ name: 'example.org', registration: { enabled: false } }]), log: silentLogger() });
      const delivery = createDelivery(id, busTo());
      nodes.set(id, { router, delivery, iq: createIqDispatcher({ events, sink: router, sessions, delivery, log: silentLogger() }) });
    }
    // A client on node 2 that answers every disco#info request with a result.
    const node2 = nodes.get('node-2')!;
    const jid = parseJid('bob@example.org/phone');
    const client = {
      id: 's1',
      jid,
      send(stanza: Element) {
        void node2.router.route(xml('iq', { type: 'result', id: stanza.attrs.id, from: jid.toString(), to: stanza.attrs.from }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
        return true;
      },
    } as unknown as LocalSession;
    node2.delivery.local.set('s1', client);
    await sessions.add({ id: 's1', nodeId: 'node-2', jid: jid.toString(), available: true, priority: 0, interested: false, flags: {} });

    const request = xml('iq', { type: 'get', id: 'q1', from: 'example.org', to: jid.toString() }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }));
    const answer = await nodes.get('node-1')!.iq.request(request, 2_000);
    expect(answer.attrs.type).toBe('result');
    expect(answer.attrs.from).toBe(jid.toString());
  });
});
