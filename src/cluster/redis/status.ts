// What `herald cluster status` shows, read straight from Redis (any node's config will do).
import type { Redis } from 'ioredis';
import { redisKeys, type NodeRecord } from './keys.js';

export interface NodeStatus {
  nodeId: string;
  alive: boolean;
  pid: number;
  sessions: number;
  startedAt: string;
  lastHeartbeatMsAgo: number;
  /** Stanzas in its inbox not yet confirmed by their clients (or not yet read). */
  inbox: number;
}

export async function clusterStatus(redis: Redis, now = Date.now()): Promise<NodeStatus[]> {
  const records = Object.values(await redis.hgetall(redisKeys.nodes)).map((json) => JSON.parse(json) as NodeRecord);
  const rows = await Promise.all(
    records.map(async (r): Promise<NodeStatus> => {
      const [alive, sessions, inbox] = await Promise.all([
        redis.exists(redisKeys.lease(r.nodeId)),
        redis.hlen(redisKeys.nodeSessions(r.nodeId)),
        redis.xlen(redisKeys.inbox(r.nodeId)),
      ]);
      return { nodeId: r.nodeId, alive: alive === 1, pid: r.pid, sessions, startedAt: new Date(r.startedAt).toISOString(), lastHeartbeatMsAgo: now - r.heartbeatAt, inbox };
    }),
  );
  return rows.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

export function formatClusterStatus(rows: readonly NodeStatus[]): string {
  if (rows.length === 0) return 'no nodes have joined this cluster';
  const header = ['NODE', 'STATE', 'PID', 'SESSIONS', 'INBOX', 'LAST HEARTBEAT', 'STARTED'];
  const lines = rows.map((r) => [r.nodeId, r.alive ? 'alive' : 'dead', String(r.pid), String(r.sessions), String(r.inbox), `${(r.lastHeartbeatMsAgo / 1000).toFixed(1)} s ago`, r.startedAt]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
