// Lua scripts: each registry change and its invalidation notice happen in one atomic step, so no
// node can read the new state and still miss the notice, or see half a change.
import type { Redis } from 'ioredis';

const ADD = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
if previous then
  local old = cjson.decode(previous)
  if old.id ~= ARGV[3] then redis.call('HDEL', ARGV[6] .. old.nodeId, old.id) end
end
redis.call('PUBLISH', KEYS[3], ARGV[5])
return previous`;

// Removes (ARGV[2] = '') or replaces the record at a full JID only while it is still session ARGV[3].
const CHANGE_IF_SAME = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or cjson.decode(current).id ~= ARGV[3] then return 0 end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 1`;

// A bus entry only goes to a node that is still a member. A dead node stays one until a survivor
// has drained its inbox, so entries keep landing behind the older ones and are routed again in
// the order they were sent; once it is gone (FINISH_DRAIN), nothing may land there any more.
//
// ioredis sends a command again when the connection dropped before its answer (a Redis restart),
// so an append may arrive twice. Each sender numbers its appends per run; an append whose number
// is not above the last one taken from that sender is a repeat and is answered, not added again.
const SEND_IF_MEMBER = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local last = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if tonumber(ARGV[3]) <= last then return 'repeat' end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))`;

// Ends a node's membership only if its inbox is empty; otherwise the drain goes on.
const FINISH_DRAIN = `
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

// The heartbeat: renews the lease and the node's record. It answers 'lost' when a survivor has
// taken this very run for dead and handed its work off (the tombstone holds the run's token); an
// emptied Redis (restarted without its data) is not that: the node simply joins again.
const HEARTBEAT = `
local lost = redis.call('GET', KEYS[3]) == ARGV[1]
if lost then redis.call('DEL', KEYS[3]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
if lost then return 'lost' end
return 'ok'`;

export interface ClusterScripts {
  registryAdd(keys: [string, string, string], args: [string, string, string, string, string, string]): Promise<string | null>;
  registryChange(keys: [string, string, string], args: [string, string, string, string]): Promise<number>;
  sendIfMember(keys: [string, string, string], args: string[]): Promise<string | null>;
  finishDrain(keys: [string, string, string], args: [string]): Promise<number>;
  heartbeat(keys: [string, string, string], args: [string, string, string, string]): Promise<'ok' | 'lost'>;
}

type Scripted = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/** Registers the scripts on a connection (EVALSHA, loaded again by ioredis after a restart). */
export function clusterScripts(client: Redis): ClusterScripts {
  client.defineCommand('heraldRegistryAdd', { numberOfKeys: 3, lua: ADD });
  client.defineCommand('heraldRegistryChange', { numberOfKeys: 3, lua: CHANGE_IF_SAME });
  client.defineCommand('heraldSendIfMember', { numberOfKeys: 3, lua: SEND_IF_MEMBER });
  client.defineCommand('heraldFinishDrain', { numberOfKeys: 3, lua: FINISH_DRAIN });
  client.defineCommand('heraldHeartbeat', { numberOfKeys: 3, lua: HEARTBEAT });
  const c = client as unknown as Scripted;
  return {
    registryAdd: (keys, args) => c['heraldRegistryAdd']!(...keys, ...args) as Promise<string | null>,
    registryChange: (keys, args) => c['heraldRegistryChange']!(...keys, ...args) as Promise<number>,
    sendIfMember: (keys, args) => c['heraldSendIfMember']!(...keys, ...args) as Promise<string | null>,
    finishDrain: (keys, args) => c['heraldFinishDrain']!(...keys, ...args) as Promise<number>,
    heartbeat: (keys, args) => c['heraldHeartbeat']!(...keys, ...args) as Promise<'ok' | 'lost'>,
  };
}
