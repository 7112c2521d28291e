// The bus's sending side on a real Redis (issue 17): many appends in flight per sender, batched
// per turn of the event loop, must keep per-sender FIFO, never add an append twice, and route
// again, in order, what a gone node's inbox refused, before the sender's count may cover it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisProcess } from '../harness/redis.js';
import { clusterScripts, type ClusterScripts } from '../../src/cluster/redis/scripts.js';
import { createAppendBatcher, type AppendBatcher } from '../../src/cluster/redis/append-batcher.js';
import { redisKeys } from '../../src/cluster/redis/keys.js';
import { createRedisNodeBus } from '../../src/cluster/redis/node-bus.js';
import { xml, type Element } from '../../src/xml/element.js';
import { silentLogger } from '../../src/util/logger.js';
import type { SessionRef } from '../../src/core/sessions/session-ref.js';

let redis: RedisProcess;
let client: Redis;
let scripts: ClusterScripts;
let scriptCalls = 0;

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = new Redis(redis.url);
  scripts = clusterScripts(client);
}, 30_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.cleanup();
});

beforeEach(async () => {
  await client.flushall();
  await client.hset(redisKeys.nodes, 'node-b', '{}');
  scriptCalls = 0;
});

function batcher(rerouted: Element[] = [], run = 'node-a/run1'): AppendBatcher {
  return createAppendBatcher({
    send: (nodeId, args) => {
      scriptCalls++;
      return scripts.sendBatchIfMember([redisKeys.nodes, redisKeys.inbox(nodeId), redisKeys.inboxSequence(nodeId)], [nodeId, run, ...args]);
    },
    reroute: async (stanza) => {
      // Slow on purpose: what comes later must still wait for it.
      await new Promise((resolve) => setTimeout(resolve, 1));
      rerouted.push(stanza);
    },
    log: silentLogger(),
  });
}

const inboxBodies = async (nodeId: string) => (await client.xrange(redisKeys.inbox(nodeId), '-', '+')).map(([, fields]) => fields[fields.indexOf('x') + 1]);

describe('pipelined bus appends', () => {
  it('RFC 6121 §8.5.2 (per-sender order): 3,000 appends issued without waiting, over many turns of the event loop, land in the order issued, several per script call', async () => {
    const bus = batcher();
    const answers: Promise<boolean>[] = [];
    for (let i = 0; i < 3000; i++) {
      answers.push(bus.append('node-b', ['k', 's', 'x', String(i)]));
      // A new turn every 7 appends: rounds of different sizes follow each other in flight.
      if (i % 7 === 6) await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = bus.settled();
    expect(settled).toBeDefined();
    await settled;
    expect(await Promise.all(answers)).toEqual(answers.map(() => true));
    expect(await inboxBodies('node-b')).toEqual(Array.from({ length: 3000 }, (_, i) => String(i)));
    expect(scriptCalls).toBeLessThanOrEqual(Math.ceil(3000 / 7) + 1);
    expect(bus.settled()).toBeUndefined();
  });

  it('an append sent again (ioredis resends after a reconnect) is not added twice', async () => {
    const args = ['node-b', 'node-a/run1', '1', '2', 'x', 'first', '2', '2', 'x', 'second'];
    const keys: [string, string, string] = [redisKeys.nodes, redisKeys.inbox('node-b'), redisKeys.inboxSequence('node-b')];
    expect(await scripts.sendBatchIfMember(keys, args)).toBe(1);
    expect(await scripts.sendBatchIfMember(keys, args)).toBe(1);
    expect(await scripts.sendBatchIfMember(keys, ['node-b', 'node-a/run1', '2', '2', 'x', 'second', '3', '2', 'x', 'third'])).toBe(1);
    expect(await inboxBodies('node-b')).toEqual(['first', 'second', 'third']);
  });

  it('an inbox whose node is gone refuses; its stanzas are routed again in the order sent, and settled() waits for that', async () => {
    await client.hset(redisKeys.nodes, 'node-c', '{}');
    const rerouted: Element[] = [];
    const bus = batcher(rerouted);
    const toB = bus.append('node-b', ['k', 's', 'x', 'kept']);
    await bus.settled();
    await client.hdel(redisKeys.nodes, 'node-b');
    const refused: Promise<boolean>[] = [];
    for (let i = 0; i < 20; i++) {
      refused.push(bus.append('node-b', ['k', 's', 'x', `r${i}`], xml('message', { id: `r${i}` })));
      // An append to a live node in the same round is not held back by the refusal.
      if (i === 10) void bus.append('node-c', ['k', 's', 'x', 'other']);
      if (i % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
    }
    await bus.settled();
    expect(await toB).toBe(true);
    expect(await Promise.all(refused)).toEqual(refused.map(() => false));
    expect(rerouted.map((el) => el.attrs.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    expect(await inboxBodies('node-b')).toEqual(['kept']);
    expect(await inboxBodies('node-c')).toEqual(['other']);
    expect(bus.rerouting()).toBeUndefined();
  });

  it('a stanza a gone node refused, routed again while the registry still names that node, takes the fallback path instead of looping', async () => {
    const bus = createRedisNodeBus(scripts, 'node-a/run2', { publish: async () => {} }, silentLogger());
    const ref: SessionRef = { id: 's1', nodeId: 'node-b', jid: 'bob@example.org/phone', available: true, priority: 0, flags: {} } as SessionRef;
    const fallbacks: string[] = [];
    let reroutes = 0;
    bus.attach({
      // As the router would with a stale registry: the same session, on the same node.
      reroute: async (stanza) => {
        reroutes++;
        if (!(await bus.deliver(ref, stanza))) fallbacks.push(stanza.attrs.id!);
      },
    });
    await client.hdel(redisKeys.nodes, 'node-b');
    expect(await bus.deliver(ref, xml('message', { id: 'm1' }))).toBe(true);
    await bus.settled();
    expect(reroutes).toBe(1);
    expect(fallbacks).toEqual(['m1']);
    // Meanwhile deliveries to that node fail at once, as a gone session's would.
    expect(await bus.deliver(ref, xml('message', { id: 'm2' }))).toBe(false);
    expect(bus.settled()).toBeUndefined();
  });
});
