// Every Redis key and channel Herald uses, in one place: the layout is part of the design
// (docs/scale-out.md), and `herald cluster status` reads the same keys.
const PREFIX = 'herald:';

export const redisKeys = {
  /** HASH full JID → SessionRef JSON: an account's sessions, cluster-wide. */
  sessions: (bareJid: string) => `${PREFIX}sessions:${bareJid}`,
  /** HASH session id → "bare\0full": what a node holds, so a survivor can clear it. */
  nodeSessions: (nodeId: string) => `${PREFIX}node-sessions:${nodeId}`,
  /** STRING with a TTL: present while the node is alive (its lease). */
  lease: (nodeId: string) => `${PREFIX}lease:${nodeId}`,
  /** HASH node id → NodeRecord JSON: every node that has joined and not been cleared. */
  nodes: `${PREFIX}nodes`,
  /** STREAM: the node's inbox on the bus. */
  inbox: (nodeId: string) => `${PREFIX}inbox:${nodeId}`,
  /** STRING with a TTL: held by whoever is clearing a dead node. */
  recovery: (nodeId: string) => `${PREFIX}recovery:${nodeId}`,
  /** STRING: the cluster's XEP-0185 dialback secret when the config has none. */
  dialbackSecret: `${PREFIX}dialback-secret`,
  /** STRING: the secret behind fake SCRAM salts, so unknown accounts look alike on every node. */
  scramFakeSecret: `${PREFIX}scram-fake-secret`,
  /** Pub/sub channel: a bare JID whose sessions changed (cache invalidation). */
  invalidations: `${PREFIX}sessions-changed`,
} as const;

/** What a node publishes about itself in `herald:nodes`. */
export interface NodeRecord {
  nodeId: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}
