// The cluster on Redis, put together: the session registry, the node bus and its inbox reader,
// node liveness, and the secrets every node must share. Three connections: commands, the
// invalidation subscription, and the blocking inbox read.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { maskRedisUrl } from '../../config/cluster-values.js';
import type { LocalSession } from '../../core/sessions/session.js';
import { StreamError } from '../../protocol/stream-error.js';
import type { Logger } from '../../util/logger.js';
import type { NodeBus, NodeBusReceiver } from '../node-bus.js';
import type { AccountGuard, AccountGuardOptions } from '../../auth/account-guard.js';
import { createRedisAccountGuard } from './account-guard.js';
import { connectRedis } from './connect.js';
import { redisKeys } from './keys.js';
import { createLiveness, type Liveness, type LivenessDeps } from './liveness.js';
import { createRedisNodeBus, readInbox, type InboxReader } from './node-bus.js';
import { createNoticeChannel } from './notices.js';
import { clusterScripts } from './scripts.js';
import { createSessionCache } from './session-cache.js';
import { createRedisSessionRegistry, type RedisSessionRegistry } from './session-registry.js';

export interface RedisCluster {
  readonly nodeId: string;
  readonly registry: RedisSessionRegistry;
  readonly bus: NodeBus;
  /** The account guard every node shares (same rules as auth/account-guard.ts). */
  accountGuard(options: AccountGuardOptions): AccountGuard;
  /** A secret all nodes share: the first node to ask stores a random one. */
  sharedSecret(key: string): Promise<string>;
  /** Once modules are loaded: clears this node's previous run, then starts reading and heartbeats. */
  start(receiver: NodeBusReceiver, localSessions: () => Iterable<LocalSession>, onSessionsLost: LivenessDeps['onSessionsLost']): Promise<void>;
  stop(): Promise<void>;
}

export async function openRedisCluster(deps: { url: string; nodeId: string; log: Logger }): Promise<RedisCluster> {
  const { url, nodeId } = deps;
  const log = deps.log.child({ nodeId });
  const redis = await connectRedis(url, log, 'commands');
  let sub: Redis | undefined;
  let reader: Redis | undefined;
  try {
    sub = await connectRedis(url, log, 'invalidations');
    reader = await connectRedis(url, log, 'inbox');
  } catch (error) {
    for (const c of [redis, sub, reader]) c?.disconnect();
    throw error;
  }
  const scripts = clusterScripts(redis);
  const cache = createSessionCache();
  const registry = createRedisSessionRegistry(redis, scripts, cache);
  const notices = createNoticeChannel(redis, nodeId, log);
  const bus = createRedisNodeBus(scripts, `${nodeId}/${randomBytes(6).toString('hex')}`, notices, log);

  sub.on('message', (channel: string, message: string) => {
    if (channel === redisKeys.invalidations) cache.invalidate(message);
    else notices.received(message);
  });
  sub.on('close', () => cache.setListening(false));
  const listen = async () => {
    await sub!.subscribe(redisKeys.invalidations, redisKeys.notices);
    cache.setListening(true);
  };
  await listen();
  sub.on('ready', () =>
    void listen().then(
      () => notices.resubscribed(),
      () => undefined,
    ),
  );

  let liveness: Liveness | undefined;
  let inbox: InboxReader | undefined;
  const info = (await redis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
  log.info({ redis: maskRedisUrl(url), redisVersion: info }, 'cluster: connected to Redis');

  return {
    nodeId,
    registry,
    bus,
    accountGuard: (options) => createRedisAccountGuard(redis, options),
    async sharedSecret(key) {
      await redis.set(key, randomBytes(32).toString('hex'), 'NX');
      return (await redis.get(key))!;
    },
    async start(receiver, localSessions, onSessionsLost) {
      const endAll = () => {
        for (const session of localSessions()) {
          session.close(new StreamError('system-shutdown', 'this cluster node lost its lease; please reconnect'));
        }
      };
      notices.attach(receiver);
      bus.attach(receiver);
      liveness = createLiveness({ redis, scripts, registry, bus, nodeId, receiver, log, onLeaseLost: endAll, onSessionsLost });
      await liveness.claim();
      inbox = readInbox({ reader: reader!, redis, nodeId, receiver, log });
      liveness.start();
      // After a Redis outage (Redis may have restarted empty) every local session registers again.
      redis.on('ready', () => {
        liveness?.reconnected();
        let count = 0;
        for (const session of localSessions()) {
          count++;
          void registry.add(session.ref()).catch((error: Error) => log.warn({ err: error.message }, 'cluster: could not re-register a session'));
        }
        log.info({ sessions: count }, 'cluster: Redis is back; sessions registered again');
      });
    },
    async stop() {
      await liveness?.stop();
      await inbox?.stop();
      // A clean stop: the others need not wait for the lease to run out.
      await liveness?.release().catch((error: Error) => log.warn({ err: error.message }, 'cluster: could not hand off at stop; a survivor will'));
      for (const c of [reader, sub, redis]) c?.disconnect();
    },
  };
}
