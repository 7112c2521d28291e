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

// A bus entry only goes to a node whose lease is alive: a dead node's inbox is drained once by
// a survivor, and nothing may land in it after that.
const SEND_IF_ALIVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], '*', unpack(ARGV))`;

// The heartbeat: renews the lease and says whether it was still ours (nil: we were presumed dead).
const HEARTBEAT = `
local held = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return held`;

export interface ClusterScripts {
  registryAdd(keys: [string, string, string], args: [string, string, string, string, string, string]): Promise<string | null>;
  registryChange(keys: [string, string, string], args: [string, string, string, string]): Promise<number>;
  sendIfAlive(keys: [string, string], fields: string[]): Promise<string | null>;
  heartbeat(keys: [string, string], args: [string, string, string, string]): Promise<string | null>;
}

type Scripted = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/** Registers the scripts on a connection (EVALSHA, loaded again by ioredis after a restart). */
export function clusterScripts(client: Redis): ClusterScripts {
  client.defineCommand('heraldRegistryAdd', { numberOfKeys: 3, lua: ADD });
  client.defineCommand('heraldRegistryChange', { numberOfKeys: 3, lua: CHANGE_IF_SAME });
  client.defineCommand('heraldSendIfAlive', { numberOfKeys: 2, lua: SEND_IF_ALIVE });
  client.defineCommand('heraldHeartbeat', { numberOfKeys: 2, lua: HEARTBEAT });
  const c = client as unknown as Scripted;
  return {
    registryAdd: (keys, args) => c['heraldRegistryAdd']!(...keys, ...args) as Promise<string | null>,
    registryChange: (keys, args) => c['heraldRegistryChange']!(...keys, ...args) as Promise<number>,
    sendIfAlive: (keys, fields) => c['heraldSendIfAlive']!(...keys, ...fields) as Promise<string | null>,
    heartbeat: (keys, args) => c['heraldHeartbeat']!(...keys, ...args) as Promise<string | null>,
  };
}
