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

// Bus entries only go to a node that is still a member. A dead node stays one until a survivor
// has drained its inbox, so entries keep landing behind the older ones and are routed again in
// the order they were sent; once it is gone (FINISH_DRAIN), nothing may land there any more.
// One call carries every append a node issued to that inbox in one turn of its event loop
// (ARGV[3..]: groups of sequence number, field count, fields), all or none.
//
// ioredis sends a command again when the connection dropped before its answer (a Redis restart),
// so an append may arrive twice. Each sender numbers its appends per run; an append whose number
// is not above the last one taken from that sender is a repeat and is skipped, not added again.
const SEND_BATCH_IF_MEMBER = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local last = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
local i = 3
while i <= #ARGV do
  local seq = tonumber(ARGV[i])
  local count = tonumber(ARGV[i + 1])
  if seq > last then
    redis.call('XADD', KEYS[2], '*', unpack(ARGV, i + 2, i + 1 + count))
    last = seq
  end
  i = i + 2 + count
end
redis.call('HSET', KEYS[3], ARGV[2], last)
return 1`;

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
  /** 1 once the appends are in the inbox (or were already), null when the node is not a member. */
  sendBatchIfMember(keys: [string, string, string], args: string[]): Promise<number | null>;
  finishDrain(keys: [string, string, string], args: [string]): Promise<number>;
  heartbeat(keys: [string, string, string], args: [string, string, string, string]): Promise<'ok' | 'lost'>;
}

type Scripted = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/** Registers the scripts on a connection (EVALSHA, loaded again by ioredis after a restart). */
export function clusterScripts(client: Redis): ClusterScripts {
  client.defineCommand('heraldRegistryAdd', { numberOfKeys: 3, lua: ADD });
  client.defineCommand('heraldRegistryChange', { numberOfKeys: 3, lua: CHANGE_IF_SAME });
  client.defineCommand('heraldSendBatchIfMember', { numberOfKeys: 3, lua: SEND_BATCH_IF_MEMBER });
  client.defineCommand('heraldFinishDrain', { numberOfKeys: 3, lua: FINISH_DRAIN });
  client.defineCommand('heraldHeartbeat', { numberOfKeys: 3, lua: HEARTBEAT });
  const c = client as unknown as Scripted;
  return {
    registryAdd: (keys, args) => c['heraldRegistryAdd']!(...keys, ...args) as Promise<string | null>,
    registryChange: (keys, args) => c['heraldRegistryChange']!(...keys, ...args) as Promise<number>,
    sendBatchIfMember: (keys, args) => c['heraldSendBatchIfMember']!(...keys, ...args) as Promise<number | null>,
    finishDrain: (keys, args) => c['heraldFinishDrain']!(...keys, ...args) as Promise<number>,
    heartbeat: (keys, args) => c['heraldHeartbeat']!(...keys, ...args) as Promise<'ok' | 'lost'>,
  };
}
