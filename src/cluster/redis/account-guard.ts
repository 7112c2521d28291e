// The account guard (auth/account-guard.ts) shared by every node: the same rules, kept in Redis
// and decided in one script, so guesses spread over several nodes count together and a lock made
// on one node holds on all. An account is forgotten a lock period after its last failure or lock
// ends, as the in-process guard forgets it.
import type { Redis } from 'ioredis';
import { accountDelayMs, type AccountGuard, type AccountGuardOptions } from '../../auth/account-guard.js';

const SETTLE = `
local now = tonumber(ARGV[1])
local lockMs = tonumber(ARGV[5])
local failures = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local locked = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
-- Forgotten once a lock period passed since the last failure or the lock's end (the clock is the
-- caller's, as for the in-process guard; the key expiry below only collects garbage).
if failures > 0 and now >= math.max(last, locked) + lockMs then
  redis.call('DEL', KEYS[1], KEYS[2])
  failures, locked = 0, 0
end
if locked > now and redis.call('ZSCORE', KEYS[2], ARGV[2]) then return {'locked', failures, locked - now} end
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return {'accepted', failures, 0}
end
failures = failures + 1
redis.call('HSET', KEYS[1], 'f', failures, 't', now)
redis.call('ZADD', KEYS[2], now, ARGV[2])
if redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[6]) then redis.call('ZPOPMIN', KEYS[2]) end
if failures >= tonumber(ARGV[4]) then
  locked = now + lockMs
  redis.call('HSET', KEYS[1], 'l', locked)
end
local keep = math.max(now, locked) + lockMs - now
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return {'rejected', failures, 0}`;

type Settle = (state: string, from: string, ...args: string[]) => Promise<[string, number, number]>;

export function createRedisAccountGuard(redis: Redis, options: AccountGuardOptions): AccountGuard {
  redis.defineCommand('heraldGuardSettle', { numberOfKeys: 2, lua: SETTLE });
  const settle = (redis as unknown as { heraldGuardSettle: Settle }).heraldGuardSettle.bind(redis);
  const lockMs = options.lockSeconds * 1000;
  const maxAddresses = options.maxAddressesPerAccount ?? 1_000;
  return {
    async settle(account, addressKey, credentialsOk) {
      const [kind, failures, lockLeftMs] = await settle(
        `herald:guard:${account}`,
        `herald:guard-from:${account}`,
        String(options.clock.now()),
        addressKey,
        credentialsOk ? '1' : '0',
        String(options.failuresToLock),
        String(lockMs),
        String(maxAddresses),
      );
      if (kind === 'locked') return { kind, delayMs: accountDelayMs(failures), retryAfterSeconds: Math.ceil(lockLeftMs / 1000) };
      if (kind === 'accepted') return { kind };
      return { kind: 'rejected', delayMs: accountDelayMs(failures) };
    },
  };
}
