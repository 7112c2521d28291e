// Two real Herald processes serving one domain on one Redis (issue 17): who is online where, the
// bus between nodes, order and no loss. Storage is shared (see test/harness/cluster.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { HeraldCluster, addClusterUser, clusterCli, sharedSqlite } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { barrier, nextMessage } from '../harness/im.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, sharedSqlite(), 2);
  for (const user of ['alice', 'bob', 'carol']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

describe('two nodes, one domain', () => {
  it('a user created through one node logs in on the other, and a message crosses nodes at once', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'n1');
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'n2');
    a.client.send(`<message to='${b.jid}' id='m1' type='chat'><body>hello across</body></message>`);
    const got = await nextMessage(b.client, (el) => el.attrs.id === 'm1');
    expect(got.attrs.from).toBe(a.jid);
    expect(got.getChildText('body')).toBe('hello across');
    a.client.end();
    b.client.end();
  });

  it('RFC 6121 §8.5.2 (per-sender order): 1,000 messages from node 1 to node 2 arrive in order, none lost or duplicated', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'fifo');
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'fifo');
    for (let i = 0; i < 1000; i++) a.client.send(`<message to='${b.jid}' id='f${i}' type='chat'><body>${i}</body></message>`);
    await barrier(a.client, b.client, b.jid);
    const ids = b.client.received.filter((el) => el.name === 'message' && /^f\d+$/.test(el.attrs.id ?? '')).map((el) => el.attrs.id);
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `f${i}`));
    a.client.end();
    b.client.end();
  }, 60_000);

  it('RFC 6121 §8.5.2.2: a message stored offline through one node is delivered by the other', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'off');
    a.client.send(`<message to='carol@localhost' id='off1' type='chat'><body>while you were away</body></message>`);
    // Stored once the sender's node answered a later round trip (its stanzas are handled in order).
    a.client.send(`<iq type='get' id='ping1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await a.client.next((el) => el.attrs.id === 'ping1');
    const c = await login(cluster.node(1).ports.c2s, 'carol', 'pw', 'later');
    c.client.send('<presence/>');
    const got = await nextMessage(c.client, (el) => el.attrs.id === 'off1');
    expect(got.getChildText('body')).toBe('while you were away');
    a.client.end();
    c.client.end();
  });

  it('herald cluster status lists both nodes with their sessions and heartbeat', async () => {
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'status');
    const result = await clusterCli(cluster, cluster.node(0), ['cluster', 'status', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { nodeId: string; alive: boolean; sessions: number; lastHeartbeatMsAgo: number }[];
    expect(rows.map((r) => r.nodeId)).toEqual(['node-1', 'node-2']);
    expect(rows.every((r) => r.alive && r.lastHeartbeatMsAgo < 3_000)).toBe(true);
    expect(rows[1]!.sessions).toBeGreaterThanOrEqual(1);
    b.client.end();
  });
});
