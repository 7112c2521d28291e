// Built-in defaults: what Herald runs with when no configuration file exists, and the base that a
// file and the environment are merged over. Paths here are relative; the loader resolves them
// against the working folder.
import type { DomainConfig, HeraldConfig, ListenerConfig } from './types.js';

export const DEFAULT_C2S_PORT = 5222;
export const DEFAULT_C2S_DIRECT_TLS_PORT = 5223;
export const DEFAULT_S2S_PORT = 5269;
export const DEFAULT_S2S_DIRECT_TLS_PORT = 5270;
export const DEFAULT_HTTP_PORT = 5280;
export const DEFAULT_HTTPS_PORT = 5443;
/** RFC 6120 §13.12: servers must accept stanzas of at least 10000 bytes. */
export const MIN_STANZA_BYTES = 10000;
/** Bytes in a client socket's buffer above which Herald queues (and paced writers wait). */
export const SESSION_HIGH_WATER_BYTES = 128 * 1024;
/**
 * The least `limits.maxQueuedBytesPerSession` may be: a paced writer (the offline flush, a MAM
 * replay) writes while the socket holds less than the high-water mark, so a client reading at
 * its own pace may hold that much plus the one stanza that crossed it, the largest allowed.
 */
export const minQueuedBytesPerSession = (maxStanzaBytes: number): number => SESSION_HIGH_WATER_BYTES + maxStanzaBytes;
/** RFC 7677 §4: SCRAM-SHA-256 iteration count of at least 4096. */
export const MIN_SCRAM_ITERATIONS = 4096;
/** Shortest password accepted when one is set; NIST SP 800-63B asks for at least 8 characters. */
export const DEFAULT_MIN_PASSWORD_LENGTH = 8;
/**
 * Stanzas one outgoing s2s link may hold while it is being opened. A link negotiates for
 * seconds, so this only bites when a peer hangs mid-negotiation or a burst is huge: it is enough
 * for the presence a restarted server sends to a large peer (thousands of contacts on one remote
 * domain) yet bounds memory per link (at a typical 1 KB a stanza, ~10 MB) when a peer accepts a
 * connection and then stalls until connectTimeoutSeconds runs out at each step.
 */
export const DEFAULT_S2S_MAX_QUEUED_STANZAS = 10000;

/** A fresh copy of the defaults, safe for the caller to mutate. */
export function defaultConfig(): HeraldConfig {
  return {
    domains: [defaultDomain('localhost')],
    listeners: {
      c2s: listener(DEFAULT_C2S_PORT),
      c2sDirectTls: listener(DEFAULT_C2S_DIRECT_TLS_PORT),
      s2s: { ...listener(DEFAULT_S2S_PORT), enabled: false },
      s2sTls: { ...listener(DEFAULT_S2S_DIRECT_TLS_PORT), enabled: false },
      // Plain HTTP is for a reverse proxy on the same machine: loopback only unless configured.
      http: { ...listener(DEFAULT_HTTP_PORT), host: '127.0.0.1' },
      https: listener(DEFAULT_HTTPS_PORT),
    },
    http: { trustedProxies: [], maxConnectionsPerAddress: 100, headersTimeoutSeconds: 30, idleTimeoutSeconds: 60 },
    s2s: {
      routes: {},
      requireValidCertificates: false,
      connectTimeoutSeconds: 10,
      idleTimeoutSeconds: 300,
      ackTimeoutSeconds: 60,
      caFiles: [],
      maxQueuedStanzas: DEFAULT_S2S_MAX_QUEUED_STANZAS,
      retry: {
        initialBackoffSeconds: 5,
        maxBackoffSeconds: 300,
        // A day, as mail servers do: a peer down for maintenance or a DNS mistake fixed
        // overnight loses no message.
        messageDeadlineSeconds: 86400,
        maxMessagesPerAccount: 1000,
        maxBytesPerAccount: 10 * 1024 * 1024,
        maxMessagesPerPeer: 10000,
      },
      dialback: { maxPendingPerStream: 10, requestsPerMinute: 60 },
    },
    certsDir: 'certs',
    storage: { dataDir: 'data' },
    auth: { scramIterations: MIN_SCRAM_ITERATIONS, fastTokenLifetimeSeconds: 21 * 24 * 3600, minPasswordLength: DEFAULT_MIN_PASSWORD_LENGTH },
    limits: {
      maxStanzaBytes: 262144,
      maxDepth: 32,
      maxAttributes: 64,
      idleTimeoutSeconds: 300,
      negotiationTimeoutSeconds: 60,
      resumeTimeoutSeconds: 300,
      bytesPerSecond: 1048576,
      authFailuresPerMinute: 5,
      authFailuresPerAccount: 10,
      authLockSeconds: 900,
      tlsHandshakeTimeoutSeconds: 30,
      shutdownGraceSeconds: 5,
      maxUnackedStanzas: 5000,
      maxQueuedBytesPerSession: 8 * 1024 * 1024,
      stanzasPerSecond: 1000,
      maxResourcesPerAccount: 10,
      maxConnectionsPerAddress: 100,
      maxUnauthenticatedPerAddress: 20,
    },
    logging: { level: 'info' },
    modules: {},
  };
}

/** A domain with nothing configured: generated certificate, no in-band registration. */
export function defaultDomain(name: string): DomainConfig {
  return { name, registration: { enabled: false } };
}

function listener(port: number): ListenerConfig {
  return { enabled: true, host: '0.0.0.0', port };
}
