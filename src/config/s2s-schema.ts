// The `s2s:` section of a configuration file (federation settings), checked and merged over a base.
import { expectedFound } from './config-error.js';
import type { FileChecker } from './schema.js';
import type { S2sConfig, S2sRetryConfig } from './types.js';
import { booleanValue, dialbackSecret, domainName, integerInRange, isPlainMap, nameserverAddress, s2sRoute } from './values.js';

export function readS2s(c: FileChecker, raw: unknown, base: S2sConfig): S2sConfig {
  const at = ['s2s'];
  const m = c.map(at, raw, ['secret', 'routes', 'requireValidCertificates', 'connectTimeoutSeconds', 'idleTimeoutSeconds', 'ackTimeoutSeconds', 'caFiles', 'resolver', 'maxQueuedStanzas', 'retry', 'dialback']);
  const out = structuredClone(base);
  if ('secret' in m) out.secret = c.check([...at, 'secret'], m['secret'], dialbackSecret);
  if ('requireValidCertificates' in m) out.requireValidCertificates = c.check([...at, 'requireValidCertificates'], m['requireValidCertificates'], booleanValue);
  for (const key of ['connectTimeoutSeconds', 'idleTimeoutSeconds', 'ackTimeoutSeconds', 'maxQueuedStanzas'] as const) {
    if (key in m) out[key] = c.check([...at, key], m[key], (v) => integerInRange(v, 1));
  }
  if ('retry' in m && m['retry'] !== null) readRetry(c, m['retry'], out.retry);
  if ('dialback' in m && m['dialback'] !== null) {
    const keys = ['maxPendingPerStream', 'requestsPerMinute'] as const;
    const d = c.map([...at, 'dialback'], m['dialback'], keys);
    for (const key of keys) {
      if (key in d) out.dialback[key] = c.check([...at, 'dialback', key], d[key], (v) => integerInRange(v, 1));
    }
  }
  if ('routes' in m && m['routes'] !== null) {
    const routes = m['routes'];
    if (!isPlainMap(routes)) c.fail([...at, 'routes'], expectedFound('a map of domain: host:port or tls://host:port', routes));
    out.routes = {};
    for (const [domain, target] of Object.entries(routes)) {
      const name = c.check([...at, 'routes', domain], domain, domainName, 'key');
      out.routes[name] = c.check([...at, 'routes', domain], target, s2sRoute);
    }
  }
  if ('caFiles' in m && m['caFiles'] !== null) {
    const files = m['caFiles'];
    if (!Array.isArray(files)) c.fail([...at, 'caFiles'], expectedFound('a list of PEM file paths', files));
    out.caFiles = files.map((f: unknown, i) => c.path([...at, 'caFiles', i], f));
  }
  if ('resolver' in m && m['resolver'] !== null) {
    const r = c.map([...at, 'resolver'], m['resolver'], ['nameservers']);
    const servers = r['nameservers'] ?? [];
    if (!Array.isArray(servers)) c.fail([...at, 'resolver', 'nameservers'], expectedFound("a list of nameserver addresses such as '127.0.0.1:5353'", servers));
    out.resolver = { nameservers: servers.map((s: unknown, i) => c.check([...at, 'resolver', 'nameservers', i], s, nameserverAddress)) };
  }
  return out;
}

/** `s2s.retry`: back-off, and how long and how many messages are held for unreachable peers. */
function readRetry(c: FileChecker, raw: unknown, out: S2sRetryConfig): void {
  const at = ['s2s', 'retry'];
  const minimum: Record<keyof S2sRetryConfig, number> = {
    initialBackoffSeconds: 1,
    maxBackoffSeconds: 1,
    messageDeadlineSeconds: 0,
    maxMessagesPerAccount: 1,
    maxBytesPerAccount: 1024,
    maxMessagesPerPeer: 1,
  };
  const keys = Object.keys(minimum) as (keyof S2sRetryConfig)[];
  const r = c.map(at, raw, keys);
  for (const key of keys) {
    if (key in r) out[key] = c.check([...at, key], r[key], (v) => integerInRange(v, minimum[key]));
  }
  if (out.maxBackoffSeconds < out.initialBackoffSeconds) {
    const key = 'maxBackoffSeconds' in r ? 'maxBackoffSeconds' : 'initialBackoffSeconds';
    const problem = key === 'maxBackoffSeconds'
      ? `expected an integer ≥ initialBackoffSeconds (${out.initialBackoffSeconds}), found ${out.maxBackoffSeconds}`
      : `expected an integer ≤ maxBackoffSeconds (${out.maxBackoffSeconds}), found ${out.initialBackoffSeconds}`;
    c.fail([...at, key], problem);
  }
}
