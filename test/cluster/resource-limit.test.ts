// limits.maxResourcesPerAccount across nodes (issue 17, step 5): a session hibernating (XEP-0198)
// on another node gives way to a new resource, as one on the same node does, and its queue goes
// to offline storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../harness/redis.js';
import { CLUSTER_STARTUP_MS, HeraldCluster, addClusterUser, sharedPostgres } from '../harness/cluster.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { enableSm } from '../harness/stream-management.js';

let redis: RedisProcess;
let cluster: HeraldCluster;

beforeAll(async () => {
  redis = await RedisProcess.start();
  cluster = await HeraldCluster.start(redis, await sharedPostgres(), 2, { extraYaml: 'limits:\n  maxResourcesPerAccount: 1\n  resumeTimeoutSeconds: 300' });
  for (const user of ['alice', 'bob']) await addClusterUser(cluster, `${user}@localhost`, 'pw');
}, CLUSTER_STARTUP_MS);

afterAll(async () => {
  await cluster?.stop();
  await redis?.cleanup();
});

describe('resources per account, several nodes', () => {
  it('RFC 6120 §7.6.2.1 with XEP-0198 §5: a session hibernating on node 2 gives way to a new resource bound on node 1', async () => {
    const phone = await login(cluster.node(1).ports.c2s, 'bob', 'pw', 'phone');
    await enableSm(phone.client, true);
    phone.client.send('<presence/>');
    const alice = await login(cluster.node(0).ports.c2s, 'alice', 'pw', 'a');
    phone.client.destroy(); // the connection drops: the session hibernates on node 2
    await cluster.node(1).waitForLog((l) => l.msg === 'connection lost; session kept for resumption');
    // Sent to the hibernating session: it holds it until it ends, then offline storage has it.
    alice.client.send(`<message to='bob@localhost' id='held1' type='chat'><body>kept for you</body></message>`);
    // Handled in order: once the ping is answered, the message is with node 2's session.
    alice.client.send(`<iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await alice.client.next((el) => el.attrs.id === 'p1');

    const laptop = await login(cluster.node(0).ports.c2s, 'bob', 'pw', 'laptop');
    laptop.client.send('<presence/>');
    const got = await nextMessage(laptop.client, (el) => el.attrs.id === 'held1');
    expect(got.getChildText('body')).toBe('kept for you');
    alice.client.end();
    laptop.client.end();
  }, 60_000);
});
