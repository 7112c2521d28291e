// Federation from a cluster (issue 17): two Herald nodes serve c.test on one Redis and one
// PostgreSQL; a single-node Herald serves p.test. p.test reaches c.test through node 2 only (its
// static route), while each cluster node opens its own outbound link to p.test. So node 1's
// dialback key is verified by node 2 (the nodes share the secret through Redis), stanzas from
// p.test for users on node 1 enter on node 2 and cross the bus, and users on both nodes send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, sharedPostgres } from '../harness/cluster.js';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { freePort, s2sYaml } from '../harness/federation.js';

let redis: RedisProcess;
let cluster: HeraldCluster;
let peer: ServerProcess;

beforeAll(async () => {
  const [node1Port, node2Port, peerPort] = [await freePort(), await freePort(), await freePort()];
  redis = await RedisProcess.start();
  peer = await ServerProcess.start({ domains: [{ name: 'p.test' }], s2sPort: peerPort, extraYaml: s2sYaml({ 'c.test': node2Port }) });
  await peer.addUser('pete@p.test', 'pw');
  // No s2s.secret in the configuration: the nodes share one through Redis.
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 2, (nodeId) => ({
    domains: [{ name: 'c.test' }],
    s2sPort: nodeId === 'node-1' ? node1Port : node2Port,
    extraYaml: s2sYaml({ 'p.test': peerPort }),
  }));
  for (const user of ['alice', 'bob']) await addClusterUser(cluster, `${user}@c.test`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await peer?.stop();
  peer?.cleanup();
  await redis?.cleanup();
});

describe('federation from a cluster', () => {
  it('RFC 6120 §10.4 / XEP-0220: users on both nodes send to and receive from a remote server; a key made by one node verifies on the other', async () => {
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'n1', 'c.test');
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'n2', 'c.test');
    const pete = await login(peer.ports.c2s, 'pete', 'pw', 'p', 'p.test');

    // Node 1's own outbound link: p.test checks its dialback key by asking c.test, i.e. node 2.
    alice.client.send(`<message to='${pete.jid}' id='from-n1' type='chat'><body>from node 1</body></message>`);
    expect((await nextMessage(pete.client, (el) => el.attrs.id === 'from-n1')).attrs.from).toBe(alice.jid);
    await cluster.node(0).waitForLog((l) => l.msg === 'outgoing server link authenticated' && l.method === 'dialback');
    // p.test accepted node 1's stream: node 2, its only route to c.test, confirmed the key.
    await peer.waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.method === 'dialback' && l.peer === 'c.test');

    bob.client.send(`<message to='${pete.jid}' id='from-n2' type='chat'><body>from node 2</body></message>`);
    expect((await nextMessage(pete.client, (el) => el.attrs.id === 'from-n2')).attrs.from).toBe(bob.jid);

    // p.test's link lands on node 2; Alice's copy crosses the bus to node 1.
    pete.client.send(`<message to='${alice.jid}' id='to-n1' type='chat'><body>to node 1</body></message>`);
    pete.client.send(`<message to='${bob.jid}' id='to-n2' type='chat'><body>to node 2</body></message>`);
    expect((await nextMessage(alice.client, (el) => el.attrs.id === 'to-n1')).attrs.from).toBe(pete.jid);
    expect((await nextMessage(bob.client, (el) => el.attrs.id === 'to-n2')).attrs.from).toBe(pete.jid);
    await cluster.node(1).waitForLog((l) => l.msg === 'incoming server stream authenticated' && l.peer === 'p.test');
    for (const c of [alice, bob, pete]) c.client.end();
  }, 60_000);

  it('RFC 6121 §8.5.2.2: a message from the remote server for a user offline on the cluster is stored and delivered by the other node', async () => {
    const pete = await login(peer.ports.c2s, 'pete', 'pw', 'later', 'p.test');
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'marker', 'c.test');
    pete.client.send(`<message to='alice@c.test' id='stored' type='chat'><body>while you were away</body></message>`);
    // One link, handled in order: once Bob has the next one, node 2 has stored Alice's.
    pete.client.send(`<message to='${bob.jid}' id='marker' type='chat'><body>after it</body></message>`);
    await nextMessage(bob.client, (el) => el.attrs.id === 'marker');
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'back', 'c.test');
    alice.client.send('<presence/>');
    const got = await nextMessage(alice.client, (el) => el.attrs.id === 'stored');
    expect(got.getChildText('body')).toBe('while you were away');
    for (const c of [alice, bob, pete]) c.client.end();
  }, 30_000);
});
