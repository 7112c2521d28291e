// Node liveness: each node renews a lease (a key with a TTL) every second; any node that finds
// another's lease gone takes a short recovery lock and clears it: its sessions leave the
// registry (so senders stop choosing them), then whatever is left in its inbox, which is what it
// had not finished, is routed again from scratch: to the user's other resources, to the user on
// the node they logged in to since, or to offline storage.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { buildElement } from '../../xml/element-builder.js';
import type { Logger } from '../../util/logger.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { NodeBusReceiver } from '../node-bus.js';
import type { RedisNodeBus } from './node-bus.js';
import { readBusEntry } from './bus-entry.js';
import { redisKeys, type NodeRecord } from './keys.js';
import type { ClusterScripts } from './scripts.js';
import type { RedisSessionRegistry } from './session-registry.js';

/** A node not heard from for this long is dead: detection takes LEASE_MS + up to SWEEP_MS. */
export const LEASE_MS = 3_000;
const HEARTBEAT_MS = 1_000;
const SWEEP_MS = 1_000;
const RECOVERY_LOCK_MS = 60_000;
const DRAIN_PAGE = 256;
/** A run taken for dead that comes back (it was only paused) learns it within this time. */
const TOMBSTONE_SECONDS = 24 * 3600;

export interface Liveness {
  /** Clears what a previous run under this node id left (its lease must have expired first). */
  claim(): Promise<void>;
  /** Starts heartbeats and the sweep for dead nodes. */
  start(): void;
  /** After a Redis outage: renew at once, and give other nodes a lease period to do the same. */
  reconnected(): void;
  stop(): Promise<void>;
  /**
   * A clean stop, once the inbox is no longer read: the lease goes first (so nothing new is sent
   * here), then what is left in the inbox is routed again, then the node's record.
   */
  release(): Promise<void>;
}

export interface LivenessDeps {
  redis: Redis;
  scripts: ClusterScripts;
  registry: RedisSessionRegistry;
  bus: RedisNodeBus;
  nodeId: string;
  receiver: NodeBusReceiver;
  log: Logger;
  /** Another node presumed this one dead and cleared its sessions. */
  onLeaseLost(): void;
  /** Sessions of a node that stopped serving without ending them, now cleared from the registry. */
  onSessionsLost(refs: readonly SessionRef[], reason: string): Promise<void>;
}

export function createLiveness(deps: LivenessDeps): Liveness {
  const { redis, scripts, registry, bus, nodeId, receiver, log } = deps;
  const token = randomBytes(12).toString('hex');
  const startedAt = Date.now();
  let timers: NodeJS.Timeout[] = [];
  let sweepAfter = 0;
  let recovering: Promise<void> = Promise.resolve();

  async function heartbeat(): Promise<void> {
    const record: NodeRecord = { nodeId, token, pid: process.pid, startedAt, heartbeatAt: Date.now() };
    const keys: [string, string, string] = [redisKeys.lease(nodeId), redisKeys.nodes, redisKeys.tombstone(nodeId)];
    if ((await scripts.heartbeat(keys, [token, String(LEASE_MS), nodeId, JSON.stringify(record)])) === 'lost') {
      log.error({ nodeId }, 'cluster: the other nodes took this node for dead and handed off its work; ending its sessions so their clients reconnect');
      deps.onLeaseLost();
    }
  }

  async function sweep(): Promise<void> {
    if (Date.now() < sweepAfter) return;
    const others = (await redis.hkeys(redisKeys.nodes)).filter((id) => id !== nodeId);
    if (others.length === 0) return;
    const alive = await Promise.all(others.map((id) => redis.exists(redisKeys.lease(id))));
    for (const [i, id] of others.entries()) if (alive[i] === 0) await recover(id);
  }

  async function recover(deadId: string): Promise<void> {
    const lock = redisKeys.recovery(deadId);
    if ((await redis.set(lock, token, 'PX', RECOVERY_LOCK_MS, 'NX')) !== 'OK') return;
    try {
      const record = JSON.parse((await redis.hget(redisKeys.nodes, deadId)) ?? '{}') as Partial<NodeRecord>;
      if (record.token) await redis.set(redisKeys.tombstone(deadId), record.token, 'EX', TOMBSTONE_SECONDS);
      const { sessions, rerouted } = await handOff(deadId, `node ${deadId} stopped answering`);
      log.warn({ deadNode: deadId, silentForMs: Date.now() - (record.heartbeatAt ?? 0), sessions, rerouted }, 'cluster: node presumed dead; its unfinished stanzas routed again and its sessions cleared');
    } finally {
      await redis.del(lock);
    }
  }

  /**
   * Takes over what a node that no longer serves left: its inbox is routed again, oldest first,
   * until it is empty and the node is no longer a member (senders append to it until then, so
   * their order holds); then its sessions leave the registry.
   */
  async function handOff(id: string, reason: string): Promise<{ sessions: number; rerouted: number }> {
    const inbox = redisKeys.inbox(id);
    let rerouted = 0;
    bus.quarantine(id);
    try {
      for (;;) {
        const page = await redis.xrange(inbox, '-', '+', 'COUNT', DRAIN_PAGE);
        if (page.length === 0) {
          if ((await scripts.finishDrain([inbox, redisKeys.nodes, redisKeys.inboxSequence(id)], [id])) === 1) break;
          continue;
        }
        for (const [, fields] of page) {
          const entry = readBusEntry(fields);
          if (entry?.kind !== 's') continue;
          await receiver.reroute(buildElement(entry.payload));
          rerouted++;
        }
        await redis.xdel(inbox, ...page.map(([entryId]) => entryId));
      }
      const lost = await registry.clearNode(id);
      await deps.onSessionsLost(lost, reason);
      return { sessions: lost.length, rerouted };
    } finally {
      bus.release(id);
    }
  }

  const guarded = (what: string, fn: () => Promise<void>) => () => {
    recovering = recovering.then(fn).catch((error: Error) => log.warn({ err: error.message }, `cluster: ${what} failed; trying again`));
  };

  return {
    async claim() {
      // Same id as a live node is a misconfiguration; a previous run's lease simply runs out.
      const deadline = Date.now() + LEASE_MS + 1_000;
      const lock = redisKeys.recovery(nodeId);
      while ((await redis.exists(redisKeys.lease(nodeId))) === 1 || (await redis.set(lock, token, 'PX', RECOVERY_LOCK_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new Error(`node id ${nodeId} is in use by a live node (its lease keeps being renewed); give each node its own HERALD_NODE_ID`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      try {
        // What a previous run left is cleared here, as a survivor would, before taking new work.
        const { sessions, rerouted } = await handOff(nodeId, `node ${nodeId} restarted`);
        if (sessions + rerouted > 0) log.info({ sessions, rerouted }, 'cluster: cleared what a previous run of this node left');
        await heartbeat();
      } finally {
        await redis.del(lock);
      }
    },
    start() {
      timers = [setInterval(guarded('heartbeat', heartbeat), HEARTBEAT_MS), setInterval(guarded('sweep', sweep), SWEEP_MS)];
      for (const t of timers) t.unref();
    },
    reconnected() {
      sweepAfter = Date.now() + 2 * LEASE_MS;
      guarded('heartbeat', heartbeat)();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await recovering;
    },
    async release() {
      const lock = redisKeys.recovery(nodeId);
      // Held before the lease goes, so no survivor takes this node for dead and drains it too.
      if ((await redis.set(lock, token, 'PX', RECOVERY_LOCK_MS, 'NX')) !== 'OK') return;
      try {
        await redis.del(redisKeys.lease(nodeId));
        const { rerouted } = await handOff(nodeId, `node ${nodeId} stopped`);
        if (rerouted > 0) log.info({ rerouted }, 'cluster: stanzas left in the inbox at stop routed again');
      } finally {
        await redis.del(lock);
      }
    },
  };
}
