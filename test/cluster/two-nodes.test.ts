// Two real Herald processes serving one domain on one Redis (issue 17): who is online where, the
// bus between nodes, order and no loss. Storage is shared (see test/harness/cluster.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, clusterCli, sharedPostgres } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { redisKeys } from '../../src/cluster/redis/keys.js';
import { enableSm, NS_SM } from '../harness/stream-management.js';
import { barrier, getRoster, letSeePresence, nextMessage, nextPresence, nextPush, NS_ROSTER } from '../harness/im.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 2);
  for (const user of ['alice', 'bob', 'carol', 'frank', 'gina']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

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
    // Seconds on a loaded CI machine (one Redis round trip per message, in order).
    await barrier(a.client, b.client, b.jid, 45_000);
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

  it('RFC 6121 §4.2.2 / §4.4.2: presence is broadcast to contacts and to the account\'s own resources on the other node', async () => {
    await letSeePresence(cluster.node(0).ports.c2s, 'frank', 'gina', 'pw');
    await letSeePresence(cluster.node(0).ports.c2s, 'gina', 'frank', 'pw');
    const gina = await login(cluster.node(1).ports.c2s, 'gina', 'pw', 'n2');
    await getRoster(gina.client);
    gina.client.send('<presence/>');
    const frankOther = await login(cluster.node(1).ports.c2s, 'frank', 'pw', 'other');
    await getRoster(frankOther.client);
    frankOther.client.send('<presence/>');
    const frank = await login(cluster.node(0).ports.c2s, 'frank', 'pw', 'n1');
    await getRoster(frank.client);
    frank.client.send("<presence><status>on node 1</status></presence>");
    // Gina (node 2, a contact) and Frank's other resource (node 2) both see it.
    expect((await nextPresence(gina.client, frank.jid)).getChildText('status')).toBe('on node 1');
    expect((await nextPresence(frankOther.client, frank.jid)).getChildText('status')).toBe('on node 1');
    // And Frank learns of Gina's presence from node 2 (RFC 6121 §4.2.3 probe answered from the registry).
    await nextPresence(frank.client, gina.jid);
    for (const c of [gina, frankOther, frank]) c.client.end();
  });

  it('RFC 6121 §2.1.6: a roster change made on one node is pushed to the account\'s interested resource on the other', async () => {
    const here = await login(cluster.node(0).ports.c2s, 'carol', 'pw', 'here');
    const there = await login(cluster.node(1).ports.c2s, 'carol', 'pw', 'there');
    await getRoster(there.client);
    here.client.send(`<iq type='set' id='add1'><query xmlns='${NS_ROSTER}'><item jid='someone@example.org' name='Someone'/></query></iq>`);
    const push = await nextPush(there.client, 'someone@example.org');
    expect(push.name).toBe('Someone');
    here.client.end();
    there.client.end();
  });

  it('XEP-0280 §6: a message received on node 1 is carbon-copied to the account\'s resource on node 2', async () => {
    const n1 = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'c1');
    const n2 = await login(cluster.node(1).ports.c2s, 'alice', 'pw', 'c2');
    for (const c of [n1, n2]) {
      c.client.send("<iq type='set' id='carbons-on'><enable xmlns='urn:xmpp:carbons:2'/></iq>");
      await c.client.next((el) => el.attrs.id === 'carbons-on');
    }
    const bob = await login(cluster.node(0).ports.c2s, 'bob', 'pw', 'cc');
    bob.client.send(`<message to='${n1.jid}' id='cc1' type='chat'><body>copy me</body></message>`);
    await nextMessage(n1.client, (el) => el.attrs.id === 'cc1');
    const copy = await nextMessage(n2.client, (el) => el.getChild('received', 'urn:xmpp:carbons:2') !== undefined);
    expect(copy.toString()).toContain('copy me');
    for (const c of [n1, n2, bob]) c.client.end();
  });

  it('a cross-node message costs one Redis round trip on the sender\'s node: session look-ups come from the cache', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'rt');
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'rt');
    await barrier(a.client, b.client, b.jid); // warms the caches
    const stats = new Redis(redis.url);
    const calls = async () => {
      const text = await stats.info('commandstats');
      return Object.fromEntries([...text.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    };
    const before = await calls();
    const started = Date.now();
    for (let i = 0; i < 1000; i++) a.client.send(`<message to='${b.jid}' id='rt${i}' type='chat'><body>${i}</body></message>`);
    await barrier(a.client, b.client, b.jid, 25_000);
    const seconds = (Date.now() - started) / 1000;
    const after = await calls();
    await stats.quit();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    // Heartbeats and sweeps (2 nodes, one each a second) also run EVALSHA, HKEYS and EXISTS.
    const background = Math.ceil(seconds + 1) * 2;
    console.log(`per message: evalsha ${(delta('evalsha') / 1000).toFixed(3)}, xread ${(delta('xread') / 1000).toFixed(3)}, xdel ${(delta('xdel') / 1000).toFixed(3)}, hvals ${delta('hvals')} in all`);
    expect(delta('evalsha')).toBeLessThanOrEqual(1001 + background);
    // Pipelined: appends issued in one turn of the sender node's event loop share one script call.
    expect(delta('evalsha')).toBeLessThan(500);
    // Commands a script runs inside Redis are counted too (HGET, XADD …): only these are client calls.
    expect(delta('hvals')).toBeLessThanOrEqual(2);
    a.client.end();
    b.client.end();
  }, 30_000);

  it('the receiving node deletes delivered inbox entries together: one XDEL per 20 ms at most, not one per message; a quiet inbox is emptied all the same', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'del');
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'del');
    await barrier(a.client, b.client, b.jid);
    const stats = new Redis(redis.url);
    const xdelCalls = async () => Number((await stats.info('commandstats')).match(/cmdstat_xdel:calls=(\d+)/)?.[1] ?? 0);
    const before = await xdelCalls();
    const started = Date.now();
    // One at a time, each waiting for the previous to arrive: every entry is confirmed on its own
    // turn of node 2's event loop, which used to cost one XDEL each.
    for (let i = 0; i < 200; i++) {
      a.client.send(`<message to='${b.jid}' id='del${i}' type='chat'><body>${i}</body></message>`);
      await nextMessage(b.client, (el) => el.attrs.id === `del${i}`);
    }
    const elapsedMs = Date.now() - started;
    const deletes = (await xdelCalls()) - before;
    console.log(`200 messages one at a time in ${elapsedMs} ms: ${deletes} XDEL`);
    // One per 20 ms window, plus the window the warm-up barrier may have left open.
    expect(deletes).toBeLessThanOrEqual(Math.ceil(elapsedMs / 20) + 3);
    // Nothing more arrives, so no read wakes node 2 (its blocking read waits a second): its last
    // deletions leave on their 40 ms timer, well before that (600 ms leaves room for a loaded CI).
    const inbox = redisKeys.inbox('node-2');
    const deadline = Date.now() + 600;
    while ((await stats.xlen(inbox)) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await stats.xlen(inbox)).toBe(0);
    await stats.quit();
    a.client.end();
    b.client.end();
  }, 30_000);

  it('XEP-0198 §4 across nodes: with appends in flight, each <a/> counts every message sent before its <r/>, in order; a burst of 500 arrives in order', async () => {
    const a = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'smburst');
    await enableSm(a.client);
    const b = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'smburst');
    await barrier(a.client, b.client, b.jid);
    const answers: number[] = [];
    a.client.observe((el) => {
      if (el.name === 'a' && el.attrs.xmlns === NS_SM) answers.push(Number(el.attrs.h));
    });
    for (let i = 0; i < 500; i++) a.client.send(`<message to='${b.jid}' id='sm${i}' type='chat'><body>${i}</body></message><r xmlns='${NS_SM}'/>`);
    await a.client.next((el) => el.name === 'a' && answers.length === 500, 25_000);
    // The barrier's message came first: the i-th <r/> follows i + 2 stanzas.
    for (const [i, h] of answers.entries()) expect(h).toBeGreaterThanOrEqual(i + 2);
    expect(answers).toEqual([...answers].sort((x, y) => x - y));
    expect(answers[499]).toBe(501);
    await barrier(a.client, b.client, b.jid, 25_000);
    const ids = b.client.received.filter((el) => el.name === 'message' && /^sm\d+$/.test(el.attrs.id ?? '')).map((el) => el.attrs.id);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => `sm${i}`));
    a.client.end();
    b.client.end();
  }, 40_000);
});
