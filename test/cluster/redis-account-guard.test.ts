// The account guard shared by cluster nodes (issue 17, step 5): the same rules as in process,
// and failures made through one node count, and lock, on another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisAccountGuard } from '../../src/cluster/redis/account-guard.js';
import { RedisProcess } from '../harness/redis.js';
import { accountGuardContract, fakeClock } from '../contracts/account-guard.js';

let redis: RedisProcess;
const clients: Redis[] = [];
const connect = () => {
  const client = new Redis(redis.url);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.cleanup();
});

describe('createRedisAccountGuard', () => {
  accountGuardContract(async (options) => {
    const client = connect();
    await client.flushdb();
    return createRedisAccountGuard(client, options);
  });

  it('failures through one node lock the account for that address on another node', async () => {
    const clock = fakeClock();
    const options = { failuresToLock: 4, lockSeconds: 60, clock };
    const node1 = createRedisAccountGuard(connect(), options);
    const node2 = createRedisAccountGuard(connect(), options);
    await node1.settle('carol@example.org', 'guesser', false);
    await node2.settle('carol@example.org', 'guesser', false);
    await node1.settle('carol@example.org', 'guesser', false);
    expect(await node2.settle('carol@example.org', 'guesser', false)).toMatchObject({ kind: 'rejected', delayMs: 2000 });
    expect((await node1.settle('carol@example.org', 'guesser', true)).kind).toBe('locked');
    expect((await node2.settle('carol@example.org', 'owner', true)).kind).toBe('accepted');
  });
});
