// Redis restarted under load (issue 17): nodes reconnect, their sessions register again, and no
// message the sender's server acknowledged is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, clusterCli, sharedPostgres } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { enableSm, NS_SM } from '../harness/stream-management.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 2);
  for (const user of ['alice', 'bob', 'carol']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

describe('Redis restarts under load', () => {
  it('messages acknowledged before, during and after the restart all arrive, in order; sessions register again', async () => {
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'load');
    await enableSm(alice.client);
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'load');
    bob.client.send('<presence/>');
    const send = (i: number) => alice.client.send(`<message to='${bob.jid}' id='r${i}' type='chat'><body>${i}</body></message>`);
    for (let i = 0; i < 200; i++) send(i);
    const restarted = redis.restart();
    for (let i = 200; i < 400; i++) send(i);
    await restarted;
    for (let i = 400; i < 600; i++) send(i);
    alice.client.send(`<r xmlns='${NS_SM}'/>`);
    const handled = Number((await alice.client.next((el) => el.name === 'a', 30_000)).attrs.h);
    expect(handled).toBe(600);
    await nextMessage(bob.client, (el) => el.attrs.id === 'r599');
    const ids = bob.client.received.filter((el) => el.name === 'message').map((el) => el.attrs.id);
    expect(ids).toEqual(Array.from({ length: 600 }, (_, i) => `r${i}`));

    // The registry knows Bob again: a newcomer on node 1 reaches him on node 2 at once.
    await Promise.all(cluster.nodes.map((n) => n.waitForLog((l) => l.msg.includes('sessions registered again'), 15_000)));
    const carol = await login(cluster.node(0).ports.c2s, 'carol', 'pw', 'after');
    carol.client.send(`<message to='${bob.jid}' id='after1' type='chat'><body>still there?</body></message>`);
    await nextMessage(bob.client, (el) => el.attrs.id === 'after1');
    const status = JSON.parse((await clusterCli(cluster, cluster.node(0), ['cluster', 'status', '--json'])).stdout) as { nodeId: string; alive: boolean }[];
    expect(status.map((r) => [r.nodeId, r.alive])).toEqual([['node-1', true], ['node-2', true]]);
    for (const c of [alice, bob, carol]) c.client.end();
  }, 90_000);
});
