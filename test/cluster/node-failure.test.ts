// Node death (kill -9) in a three-node cluster (issue 17): nothing the sender's server
// acknowledged is lost, the recipient gets it on another node, and XEP-0198 resumption there
// fails cleanly and is followed by the unacknowledged messages from offline storage, once each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, sharedPostgres } from '../harness/cluster.js';
import { connectSecured, login, scramAuth, features, NS_BIND } from '../harness/login.js';
import { enableSm, NS_SM } from '../harness/stream-management.js';
import { getRoster, letSeePresence, nextPresence } from '../harness/im.js';
import type { ServerProcess, LogLine } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 3);
  for (const user of ['alice', 'bob', 'dave', 'erin', 'hank', 'ivy']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

const bodiesOf = (client: XmlClient, prefix: string): string[] =>
  client.received.filter((el) => el.name === 'message' && (el.attrs.id ?? '').startsWith(prefix)).map((el) => el.getChildText('body') ?? '');

/** Sends `<r/>` and resolves with the server's `h`: how many of our stanzas it has taken on. */
async function serverHandled(client: XmlClient): Promise<number> {
  client.send(`<r xmlns='${NS_SM}'/>`);
  const a = await client.next((el) => el.name === 'a' && el.attrs.xmlns === NS_SM);
  return Number(a.attrs.h);
}

const presumedDead = (nodeId: string) => (line: LogLine) => line.msg.includes('node presumed dead') && line.deadNode === nodeId;

function waitForAnySurvivor(survivors: ServerProcess[], match: (line: LogLine) => boolean): Promise<LogLine> {
  return Promise.any(survivors.map((s) => s.waitForLog(match, 15_000)));
}

describe('a node dies (kill -9)', () => {
  it('XEP-0198 §5 across nodes: the recipient\'s node dies mid-stream; every message the sender\'s server acknowledged reaches the recipient on another node, once, in order', async () => {
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'sender');
    await enableSm(alice.client);
    const bob = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'phone');
    const enabled = await enableSm(bob.client, true);
    bob.client.send('<presence/>');
    // Bob's client never acknowledges: everything node 2 sent it stays unconfirmed.
    const send = (i: number) => alice.client.send(`<message to='bob@localhost' id='k${i}' type='chat'><body>${i}</body></message>`);
    for (let i = 0; i < 100; i++) send(i);
    await bob.client.next((el) => el.name === 'message' && el.attrs.id === 'k49');
    await cluster.node(1).kill();
    for (let i = 100; i < 200; i++) send(i);
    expect(await serverHandled(alice.client)).toBe(200);

    await waitForAnySurvivor([cluster.node(0), cluster.node(2)], presumedDead('node-2'));

    const { client } = await connectSecured(cluster.node(2).ports.c2s);
    expect((await scramAuth(client, 'SCRAM-SHA-256', 'bob', 'pw')).ok).toBe(true);
    await client.open('localhost');
    await features(client);
    client.send(`<resume xmlns='${NS_SM}' previd='${enabled.attrs.id}' h='0'/>`);
    const failed = await client.next((el: Element) => el.name === 'failed' || el.name === 'resumed');
    expect(failed.name).toBe('failed');
    client.send(`<iq type='set' id='rebind'><bind xmlns='${NS_BIND}'><resource>phone</resource></bind></iq>`);
    expect((await client.next((el) => el.attrs.id === 'rebind')).attrs.type).toBe('result');
    client.send('<presence/>');
    await client.next((el) => el.name === 'message' && el.attrs.id === 'k199', 20_000);
    expect(bodiesOf(client, 'k')).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    alice.client.end();
    client.end();
  }, 60_000);

  it('the sender\'s node dies right after acknowledging: the messages it acknowledged still reach the recipient', async () => {
    const victim = await cluster.startNode('node-4');
    cluster.nodes.push(victim);
    const dave = await login(victim.ports.c2s, 'dave', 'pw', 'sender');
    await enableSm(dave.client);
    const erin = await login(cluster.node(0).ports.c2s, 'erin', 'pw', 'desk');
    for (let i = 0; i < 300; i++) dave.client.send(`<message to='${erin.jid}' id='s${i}' type='chat'><body>${i}</body></message>`);
    const handled = await serverHandled(dave.client);
    await victim.kill();
    await erin.client.next((el) => el.name === 'message' && el.attrs.id === `s${handled - 1}`, 20_000);
    const got = bodiesOf(erin.client, 's');
    expect(got.slice(0, handled)).toEqual(Array.from({ length: handled }, (_, i) => String(i)));
    erin.client.end();
  }, 60_000);

  it('RFC 6121 §4.5.2: contacts of a user whose node died are told the user is unavailable', async () => {
    const victim = await cluster.startNode('node-5');
    cluster.nodes.push(victim);
    await letSeePresence(cluster.node(0).ports.c2s, 'ivy', 'hank', 'pw');
    const hank = await login(cluster.node(0).ports.c2s, 'hank', 'pw', 'watch');
    await getRoster(hank.client);
    hank.client.send('<presence/>');
    const ivy = await login(victim.ports.c2s, 'ivy', 'pw', 'doomed');
    await getRoster(ivy.client);
    ivy.client.send('<presence/>');
    await nextPresence(hank.client, ivy.jid);
    await victim.kill();
    const gone = await hank.client.next((el) => el.name === 'presence' && el.attrs.from === ivy.jid && el.attrs.type === 'unavailable', 15_000);
    expect(gone.attrs.to).toBe('hank@localhost');
    hank.client.end();
  }, 60_000);
});
