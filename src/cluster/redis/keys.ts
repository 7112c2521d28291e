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
  /** HASH sender run → number of its last append to the node's inbox (drops resent appends). */
  inboxSequence: (nodeId: string) => `${PREFIX}inbox-seq:${nodeId}`,
  /** STRING with a TTL: the token of a node run a survivor took for dead (that run must not go on). */
  tombstone: (nodeId: string) => `${PREFIX}tombstone:${nodeId}`,
  /** STRING with a TTL: held by whoever is clearing a dead node. */
  recovery: (nodeId: string) => `${PREFIX}recovery:${nodeId}`,
  /** STRING: the cluster's XEP-0185 dialback secret when the config has none. */
  dialbackSecret: `${PREFIX}dialback-secret`,
  /** STRING: the secret behind fake SCRAM salts, so unknown accounts look alike on every node. */
  scramFakeSecret: `${PREFIX}scram-fake-secret`,
  /** Pub/sub channel: a bare JID whose sessions changed (cache invalidation). */
  invalidations: `${PREFIX}sessions-changed`,
  /** Pub/sub channel: a module's notice to the other nodes (`[sender node, topic, key]` as JSON). */
  notices: `${PREFIX}notices`,
} as const;

/** What a node publishes about itself in `herald:nodes`. */
export interface NodeRecord {
  nodeId: string;
  /** This run of the node (a restart under the same id is a new run). */
  token: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}
