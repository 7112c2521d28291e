// SessionRegistry in Redis: one hash per account (full JID → SessionRef JSON), one per node (its
// session ids, so a survivor can clear a dead node). Changes run as Lua scripts that also publish
// the account's bare JID; every node drops its cached copy on that notice. Look-ups on the
// message path are answered from the cache, so in the common case they cost no round trip.
import type { Redis } from 'ioredis';
import { parseJid } from '../../protocol/jid.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { SessionRegistry } from '../../core/sessions/session-registry.js';
import { redisKeys } from './keys.js';
import type { ClusterScripts } from './scripts.js';
import type { SessionCache } from './session-cache.js';

export interface RedisSessionRegistry extends SessionRegistry {
  /** Drops the session records a dead (or restarted) node left behind; returns them. */
  clearNode(nodeId: string): Promise<SessionRef[]>;
}

const freeze = (ref: SessionRef): Readonly<SessionRef> => Object.freeze({ ...ref, flags: Object.freeze({ ...ref.flags }) });
const bareOf = (fullJid: string): string => parseJid(fullJid).toBareString();

export function createRedisSessionRegistry(redis: Redis, scripts: ClusterScripts, cache: SessionCache): RedisSessionRegistry {
  const load = (bareJid: string) => async () => {
    const values = await redis.hvals(redisKeys.sessions(bareJid));
    return Object.freeze(values.map((json) => freeze(JSON.parse(json) as SessionRef)));
  };
  const sessionsOf = (bareJid: string) => cache.get(bareJid, load(bareJid));

  /** Our own change is known here at once; other nodes learn it from the notice. */
  const changed = (bareJid: string) => cache.invalidate(bareJid);

  async function removeRecord(ref: Pick<SessionRef, 'id' | 'nodeId' | 'jid'>): Promise<boolean> {
    const bare = bareOf(ref.jid);
    const keys: [string, string, string] = [redisKeys.sessions(bare), redisKeys.nodeSessions(ref.nodeId), redisKeys.invalidations];
    const removed = (await scripts.registryChange(keys, [ref.jid, '', ref.id, bare])) === 1;
    changed(bare);
    return removed;
  }

  return {
    async add(ref) {
      const bare = bareOf(ref.jid);
      const previous = await scripts.registryAdd(
        [redisKeys.sessions(bare), redisKeys.nodeSessions(ref.nodeId), redisKeys.invalidations],
        [ref.jid, JSON.stringify(ref), ref.id, `${bare}\0${ref.jid}`, bare, redisKeys.nodeSessions('')],
      );
      changed(bare);
      return previous ? (JSON.parse(previous) as SessionRef) : undefined;
    },

    remove: removeRecord,

    async update(ref) {
      const bare = bareOf(ref.jid);
      const keys: [string, string, string] = [redisKeys.sessions(bare), redisKeys.nodeSessions(ref.nodeId), redisKeys.invalidations];
      await scripts.registryChange(keys, [ref.jid, JSON.stringify(ref), ref.id, bare]);
      changed(bare);
    },

    async byFullJid(fullJid) {
      const sessions = await sessionsOf(bareOf(fullJid));
      return sessions.find((ref) => ref.jid === fullJid);
    },

    byBareJid: sessionsOf,

    async count() {
      const nodes = await redis.hkeys(redisKeys.nodes);
      const sizes = await Promise.all(nodes.map((nodeId) => redis.hlen(redisKeys.nodeSessions(nodeId))));
      return sizes.reduce((sum, n) => sum + n, 0);
    },

    async clearNode(nodeId) {
      const held = await redis.hgetall(redisKeys.nodeSessions(nodeId));
      const cleared: SessionRef[] = [];
      for (const [id, where] of Object.entries(held)) {
        const [bare = '', jid = ''] = where.split('\0');
        const record = await redis.hget(redisKeys.sessions(bare), jid);
        if ((await removeRecord({ id, nodeId, jid })) && record) cleared.push(JSON.parse(record) as SessionRef);
      }
      await redis.del(redisKeys.nodeSessions(nodeId));
      return cleared;
    },
  };
}
