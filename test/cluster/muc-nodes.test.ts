// XEP-0045 rooms on two nodes (docs/architecture.md, "Rooms on several nodes"): occupants in rows
// of their own with the node that holds them. A node's occupant cache follows joins made through
// the other node at once, and a node starting again removes only its own occupants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, sharedPostgres } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { createRoom, freshRoom, groupchat, join, presenceFrom, statusCodes } from '../harness/muc.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, await sharedPostgres('herald_muc_nodes'), 2);
  for (const user of ['alice', 'bob', 'carol']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

describe('rooms on two nodes', () => {
  it('XEP-0045 §7.4: a message sent through node 2 reaches an occupant who joined through node 1 after node 2 had cached the room', async () => {
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'desk');
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'desk');
    const carol = await login(cluster.node(0).ports.c2s, 'carol', 'pw', 'desk');
    const room = freshRoom();
    await createRoom(alice.client, room, 'Alice');
    expect(statusCodes(await join(bob.client, room, 'Bob'))).toContain('110');
    // Node 2 now holds the room's occupant list in its cache.
    bob.client.send(`<message type='groupchat' to='${room}' id='n1'><body>first</body></message>`);
    await groupchat(alice.client, room, 'first');
    // Carol joins through node 1: node 2's cached list is stale by the stamp, and is read again.
    expect(statusCodes(await join(carol.client, room, 'Carol'))).toContain('110');
    bob.client.send(`<message type='groupchat' to='${room}' id='n2'><body>second</body></message>`);
    await groupchat(carol.client, room, 'second');
    await groupchat(alice.client, room, 'second');

    // Node 2 dies and starts again under its id: Bob (held by node 2) is gone from the room;
    // Alice and Carol (held by node 1) are still in it.
    await cluster.node(1).kill();
    cluster.nodes[1] = await cluster.startNode('node-2');
    // Told by node 2 at start-up (or by node 1 once it finds node 2's sessions lost, if sooner).
    await alice.client.next((e) => e.name === 'presence' && e.attrs.from === `${room}/Bob` && e.attrs.type === 'unavailable', 30_000);
    alice.client.send(`<message type='groupchat' to='${room}' id='n3'><body>still here</body></message>`);
    await groupchat(carol.client, room, 'still here');
    const bobAgain = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'desk');
    expect(statusCodes(await join(bobAgain.client, room, 'Bob'))).toContain('110');
    await presenceFrom(carol.client, room, 'Bob');
    for (const c of [alice, carol, bobAgain]) c.client.end();
  }, 120_000);
});
