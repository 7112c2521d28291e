// The shape of a validated Herald configuration. `config/schema.ts` checks a parsed YAML document
// against it; everything else in Herald reads only this type.

export interface DomainConfig {
  /** The domain served, e.g. `localhost` or `example.org` (lower-case, IDNA A-label form). */
  name: string;
  /** PEM certificate chain and key; when absent, a self-signed pair is generated into certsDir. */
  tls?: { cert: string; key: string };
  /** XEP-0077 in-band registration. */
  registration: { enabled: boolean };
}

export interface ListenerConfig {
  enabled: boolean;
  host: string;
  port: number;
}

export interface LimitsConfig {
  /** Largest stanza accepted, in bytes (RFC 6120 §13.12: at least 10000). */
  maxStanzaBytes: number;
  /** Deepest element nesting accepted inside a stanza. */
  maxDepth: number;
  /** Most attributes on one element. */
  maxAttributes: number;
  /** Seconds a connection may be silent before it is closed with connection-timeout. */
  idleTimeoutSeconds: number;
  /** Seconds a session with XEP-0198 resumption waits for its client to come back. */
  resumeTimeoutSeconds: number;
  /** Seconds allowed from TCP accept to a bound resource. */
  negotiationTimeoutSeconds: number;
  /** Bytes per second a connection may send before its reading is paused. */
  bytesPerSecond: number;
  /** Failed authentications per address per minute before each further attempt is delayed. */
  authFailuresPerMinute: number;
  /** Failed authentications of one account (from any address) before it is locked for failing addresses. */
  authFailuresPerAccount: number;
  /** How long such an account lock lasts, in seconds. */
  authLockSeconds: number;
  /** Seconds a TLS handshake (STARTTLS or direct TLS, c2s and s2s) may take. */
  tlsHandshakeTimeoutSeconds: number;
  /** Seconds a shutdown waits for open streams to close before destroying them. */
  shutdownGraceSeconds: number;
  /** Stanzas a client session (XEP-0198) may leave unacknowledged before it is ended. */
  maxUnackedStanzas: number;
  /** Bytes a session may hold for its client (unwritten or unacknowledged) before it is ended. */
  maxQueuedBytesPerSession: number;
  /** Stanzas per second a connection may send before its reading is paused. */
  stanzasPerSecond: number;
  /** Resources bound at once per account. */
  maxResourcesPerAccount: number;
  /** Open client connections per remote address (IPv6: per /64). */
  maxConnectionsPerAddress: number;
  /** Client connections per remote address that have not authenticated yet. */
  maxUnauthenticatedPerAddress: number;
}

export interface S2sRetryConfig {
  initialBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** How long a message for an unreachable peer is held and retried before it is bounced; 0 = at once. */
  messageDeadlineSeconds: number;
  /** Messages held for unreachable peers per sending account; more are bounced with resource-constraint. */
  maxMessagesPerAccount: number;
  /** Bytes of such messages per sending account. */
  maxBytesPerAccount: number;
  /** Messages held per (local domain, remote domain) pair, all senders together. */
  maxMessagesPerPeer: number;
}

export interface S2sConfig {
  /** Dialback secret (XEP-0185); when absent one is generated and kept in the data folder. */
  secret?: string;
  /**
   * Static routes: remote domain → `host:port` (STARTTLS) or `tls://host:port` (direct TLS,
   * XEP-0368; `kind: 'direct-tls'`), used instead of DNS.
   */
  routes: Record<string, { host: string; port: number; kind?: 'starttls' | 'direct-tls' }>;
  /** Refuse peers whose certificate is not trusted for their domain (else: TLS + dialback). */
  requireValidCertificates: boolean;
  connectTimeoutSeconds: number;
  /** An outbound link with nothing to send for this long is closed. */
  idleTimeoutSeconds: number;
  /**
   * With stream management on a link (XEP-0198), a peer that leaves stanzas unacknowledged this
   * long after being asked is presumed unreachable: the link is dropped and those stanzas are
   * sent again on a new one.
   */
  ackTimeoutSeconds: number;
  /** Extra trusted CA certificates (PEM files), on top of the system store. */
  caFiles: string[];
  /** Stanzas an outgoing link holds while it is being opened; further ones are bounced with resource-constraint. */
  maxQueuedStanzas: number;
  /**
   * After a link could not be opened, the pair is not dialled again for a back-off period: the
   * initial one, doubled per consecutive failure up to the maximum; a link that opens resets it.
   * Meanwhile other stanzas for that peer are bounced at once (with the remembered reason), while
   * messages are held in storage, in order, and retried for `messageDeadlineSeconds` (0: bounce
   * them at once too). Held messages are bounded per sending account and per peer.
   */
  retry: S2sRetryConfig;
  /** Dialback verifications (XEP-0220) an incoming stream may ask for. */
  dialback: {
    /** Distinct requests awaiting verification per stream; more get a resource-constraint dialback error. */
    maxPendingPerStream: number;
    /** Requests per stream per minute (burst the same); more end the stream with policy-violation. */
    requestsPerMinute: number;
  };
  /** DNS resolver for s2s lookups; absent: the system's resolvers. */
  resolver?: {
    /** `ip` or `ip:port` (`[v6]:port`), e.g. `127.0.0.1:5353`; empty: the system's. */
    nameservers: string[];
  };
}

export interface HttpConfig {
  /** Addresses of reverse proxies whose X-Forwarded-For/Proto/Host headers are believed. */
  trustedProxies: string[];
  /** Open HTTP connections per remote address (IPv6: per /64); trusted proxies are not counted. */
  maxConnectionsPerAddress: number;
  /** Seconds a client may take to send a request's headers. */
  headersTimeoutSeconds: number;
  /** Seconds an HTTP connection may stay silent (mid-request or kept alive) before it is dropped. */
  idleTimeoutSeconds: number;
  /** `https://host[:port]` people reach the HTTPS routes at (behind a proxy); undefined: the HTTPS listener's own. */
  publicUrl?: string;
}

export interface HeraldConfig {
  /** The file the configuration came from, for error messages; undefined for built-in defaults. */
  sourceFile?: string;
  /** Line in sourceFile of some values checked after loading (e.g. `domains[0].tls.cert`), for their errors. */
  sourceLines?: Record<string, number>;
  domains: DomainConfig[];
  listeners: {
    /** c2s with STARTTLS (RFC 6120), 5222. */
    c2s: ListenerConfig;
    /** c2s with direct TLS (XEP-0368), 5223. */
    c2sDirectTls: ListenerConfig;
    /** Server-to-server (RFC 6120), 5269; off by default, which also turns off outbound federation. */
    s2s: ListenerConfig;
    /** Server-to-server with direct TLS (XEP-0368, ALPN xmpp-server), 5270; off by default, needs `s2s` on. */
    s2sTls: ListenerConfig;
    /** Plain HTTP (WebSocket, host-meta, upload behind a reverse proxy), 5280 on loopback. */
    http: ListenerConfig;
    /** HTTPS on the domains' certificates, 5443. */
    https: ListenerConfig;
  };
  /** The HTTP listeners' limits and proxies. */
  http: HttpConfig;
  s2s: S2sConfig;
  /** Folder for generated certificates. */
  certsDir: string;
  storage: {
    /** Folder holding herald.sqlite and herald-archive.sqlite. */
    dataDir: string;
  };
  auth: {
    /** PBKDF2 iterations for new SCRAM credentials (≥ 4096). */
    scramIterations: number;
    /** XEP-0484 FAST tokens expire this long after they are issued; renewed past half of it. */
    fastTokenLifetimeSeconds: number;
    /** Shortest password `herald user add|passwd` and in-band registration accept; existing accounts are unaffected. */
    minPasswordLength: number;
    /** XEP-0484 §7: mixed into every FAST token, so the database alone cannot yield one; changing it ends every token. */
    fastTokenSecret?: string;
  };
  limits: LimitsConfig;
  logging: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  };
  /** Feature modules by name; a module absent here is loaded with defaults when it is on by default. */
  modules: Record<string, { enabled: boolean; options: Record<string, unknown> }>;
  /** Several nodes serving one domain (docs/scale-out.md); absent: one node, everything in process. */
  cluster?: {
    /** This node's id, unique in the cluster; default: generated once and kept in the data folder. */
    nodeId?: string;
    /** `redis://[:password@]host:port[/db]`: session registry and node bus in Redis. */
    redisUrl?: string;
    /** Every repository in PostgreSQL instead of SQLite (env HERALD_POSTGRES_URL). */
    postgresUrl?: string;
  };
}
