// Checks a parsed configuration file against the HeraldConfig shape and merges it over a base
// (the defaults). Every key the file may hold is listed here; anything else is an error, so a
// misspelt key fails loudly instead of silently leaving a default in force.
import path from 'node:path';
import { ConfigError, expectedFound, joinKeyPath } from './config-error.js';
import { defaultDomain, MIN_SCRAM_ITERATIONS, MIN_STANZA_BYTES, minQueuedBytesPerSession } from './defaults.js';
import type { DomainConfig, HeraldConfig, LimitsConfig, ListenerConfig } from './types.js';
import {
  booleanValue, closestKey, domainName, fastTokenSecret, hostValue, integerInRange, Invalid, isPlainMap, logLevel, moduleName, pathValue, portNumber,
} from './values.js';
import { readS2s } from './s2s-schema.js';
import { postgresUrlProblem } from './postgres-url.js';
import { nodeIdValue, redisUrlValue } from './cluster-values.js';
import { readHttp } from './http-schema.js';
import type { Locate } from './yaml-source.js';

export type KeyPath = readonly (string | number)[];

export interface FileContext {
  /** File name as shown in error messages. */
  displayName: string;
  /** Absolute folder of the file; relative paths in it are resolved against this. */
  baseDir: string;
  locate: Locate;
}

const TOP_KEYS = ['domains', 'listeners', 's2s', 'certsDir', 'storage', 'auth', 'limits', 'logging', 'modules', 'cluster', 'http'];
const LIMIT_CHECKS: Record<keyof LimitsConfig, (v: unknown) => number> = {
  maxStanzaBytes: (v) => integerInRange(v, MIN_STANZA_BYTES),
  maxDepth: (v) => integerInRange(v, 1),
  maxAttributes: (v) => integerInRange(v, 1),
  idleTimeoutSeconds: (v) => integerInRange(v, 1),
  negotiationTimeoutSeconds: (v) => integerInRange(v, 1),
  resumeTimeoutSeconds: (v) => integerInRange(v, 1),
  bytesPerSecond: (v) => integerInRange(v, 1),
  authFailuresPerMinute: (v) => integerInRange(v, 1),
  authFailuresPerAccount: (v) => integerInRange(v, 1),
  authLockSeconds: (v) => integerInRange(v, 1),
  tlsHandshakeTimeoutSeconds: (v) => integerInRange(v, 1),
  shutdownGraceSeconds: (v) => integerInRange(v, 0),
  maxUnackedStanzas: (v) => integerInRange(v, 10),
  maxQueuedBytesPerSession: (v) => integerInRange(v, minQueuedBytesPerSession(MIN_STANZA_BYTES)),
  stanzasPerSecond: (v) => integerInRange(v, 1),
  maxResourcesPerAccount: (v) => integerInRange(v, 1),
  maxConnectionsPerAddress: (v) => integerInRange(v, 1),
  maxUnauthenticatedPerAddress: (v) => integerInRange(v, 1),
};

/** Returns `base` with the file's settings applied; `base` itself is not modified. */
export function applyFile(base: HeraldConfig, raw: unknown, ctx: FileContext): HeraldConfig {
  const c: FileChecker = new FileChecker(ctx);
  // An empty file parses to null: it simply changes nothing.
  const top = raw === null || raw === undefined ? {} : c.map([], raw, TOP_KEYS);
  const out: HeraldConfig = structuredClone(base);

  if ('domains' in top) out.domains = readDomains(c, top['domains']);
  if ('listeners' in top) {
    const l = c.map(['listeners'], top['listeners'], ['c2s', 'c2sDirectTls', 's2s', 's2sTls', 'http', 'https']);
    if ('http' in l) out.listeners.http = readListener(c, ['listeners', 'http'], l['http'], out.listeners.http);
    if ('https' in l) out.listeners.https = readListener(c, ['listeners', 'https'], l['https'], out.listeners.https);
    if ('s2s' in l) out.listeners.s2s = readListener(c, ['listeners', 's2s'], l['s2s'], out.listeners.s2s);
    if ('s2sTls' in l) out.listeners.s2sTls = readListener(c, ['listeners', 's2sTls'], l['s2sTls'], out.listeners.s2sTls);
    // listeners.s2s is the federation switch (outgoing links too); direct TLS is an extra port.
    if (out.listeners.s2sTls.enabled && !out.listeners.s2s.enabled) {
      const at = isPlainMap(l['s2sTls']) && 'enabled' in l['s2sTls'] ? ['listeners', 's2sTls', 'enabled'] : ['listeners', 's2sTls'];
      c.fail(at, 'expected false while listeners.s2s.enabled is false (direct-TLS federation needs listeners.s2s enabled too)');
    }
    if ('c2s' in l) out.listeners.c2s = readListener(c, ['listeners', 'c2s'], l['c2s'], out.listeners.c2s);
    if ('c2sDirectTls' in l) {
      out.listeners.c2sDirectTls = readListener(c, ['listeners', 'c2sDirectTls'], l['c2sDirectTls'], out.listeners.c2sDirectTls);
    }
  }
  if ('s2s' in top) out.s2s = readS2s(c, top['s2s'], out.s2s);
  if ('http' in top) out.http = readHttp(c, top['http'], out.http);
  if ('certsDir' in top) out.certsDir = c.path(['certsDir'], top['certsDir']);
  if ('storage' in top) {
    const s = c.map(['storage'], top['storage'], ['dataDir']);
    if ('dataDir' in s) out.storage.dataDir = c.path(['storage', 'dataDir'], s['dataDir']);
  }
  if ('auth' in top) {
    const a = c.map(['auth'], top['auth'], ['scramIterations', 'fastTokenLifetimeSeconds', 'minPasswordLength', 'fastTokenSecret']);
    if ('fastTokenSecret' in a) out.auth.fastTokenSecret = c.check(['auth', 'fastTokenSecret'], a['fastTokenSecret'], fastTokenSecret);
    if ('minPasswordLength' in a) {
      out.auth.minPasswordLength = c.check(['auth', 'minPasswordLength'], a['minPasswordLength'], (v) => integerInRange(v, 1, 1024));
    }
    if ('scramIterations' in a) {
      // 2^31-1: node's pbkdf2 refuses larger counts.
      out.auth.scramIterations = c.check(['auth', 'scramIterations'], a['scramIterations'], (v) =>
        integerInRange(v, MIN_SCRAM_ITERATIONS, 2 ** 31 - 1));
    }
    if ('fastTokenLifetimeSeconds' in a) {
      // Up to ten years; a token must outlive at least a reconnect.
      out.auth.fastTokenLifetimeSeconds = c.check(['auth', 'fastTokenLifetimeSeconds'], a['fastTokenLifetimeSeconds'], (v) =>
        integerInRange(v, 1, 10 * 365 * 24 * 3600));
    }
  }
  if ('limits' in top) {
    const names = Object.keys(LIMIT_CHECKS) as (keyof LimitsConfig)[];
    const l = c.map(['limits'], top['limits'], names);
    for (const name of names) {
      if (name in l) out.limits[name] = c.check(['limits', name], l[name], LIMIT_CHECKS[name]);
    }
    const { maxQueuedBytesPerSession: queued, maxStanzaBytes } = out.limits;
    if (queued < minQueuedBytesPerSession(maxStanzaBytes)) {
      const key = 'maxQueuedBytesPerSession' in l ? 'maxQueuedBytesPerSession' : 'maxStanzaBytes';
      c.fail(['limits', key], `expected limits.maxQueuedBytesPerSession ≥ ${minQueuedBytesPerSession(maxStanzaBytes)} (131072, what a paced writer such as the offline flush leaves in a socket, plus one stanza of limits.maxStanzaBytes ${maxStanzaBytes}), found ${queued}`);
    }
  }
  if ('logging' in top) {
    const l = c.map(['logging'], top['logging'], ['level']);
    if ('level' in l) out.logging.level = c.check(['logging', 'level'], l['level'], logLevel);
  }
  if ('modules' in top) out.modules = readModules(c, top['modules']);
  if ('cluster' in top) {
    const cl = c.map(['cluster'], top['cluster'], ['nodeId', 'redisUrl', 'postgresUrl']);
    if ('nodeId' in cl) out.cluster = { ...out.cluster, nodeId: c.check(['cluster', 'nodeId'], cl['nodeId'], nodeIdValue) };
    if ('redisUrl' in cl) out.cluster = { ...out.cluster, redisUrl: c.check(['cluster', 'redisUrl'], cl['redisUrl'], redisUrlValue) };
    if ('postgresUrl' in cl) {
      const problem = postgresUrlProblem(cl['postgresUrl']);
      if (problem !== undefined) c.fail(['cluster', 'postgresUrl'], problem);
      out.cluster = { ...out.cluster, postgresUrl: cl['postgresUrl'] as string };
    }
  }
  return out;
}

function readDomains(c: FileChecker, raw: unknown): DomainConfig[] {
  if (!Array.isArray(raw) || raw.length === 0) c.fail(['domains'], expectedFound('a list of at least one domain', raw));
  const seen = new Set<string>();
  return raw.map((item: unknown, i) => {
    // Shorthand: `- example.org` is a domain with everything default.
    const entry = typeof item === 'string' ? { name: item } : c.map(['domains', i], item, ['name', 'tls', 'registration']);
    const at = typeof item === 'string' ? ['domains', i] : ['domains', i, 'name'];
    if (!('name' in entry)) c.fail(['domains', i, 'name'], 'missing; expected the domain name, e.g. name: example.org');
    const domain = defaultDomain(c.check(at, entry['name'], domainName));
    if (seen.has(domain.name)) c.fail(at, `expected each domain once, found ${domain.name} again`);
    seen.add(domain.name);
    if ('tls' in entry) {
      const tls = c.map(['domains', i, 'tls'], entry['tls'], ['cert', 'key']);
      for (const k of ['cert', 'key'] as const) {
        if (!(k in tls)) c.fail(['domains', i, 'tls'], `expected both cert and key, found no ${k}`, 'key');
      }
      domain.tls = { cert: c.path(['domains', i, 'tls', 'cert'], tls['cert']), key: c.path(['domains', i, 'tls', 'key'], tls['key']) };
    }
    if ('registration' in entry) {
      const r = c.map(['domains', i, 'registration'], entry['registration'], ['enabled']);
      if ('enabled' in r) domain.registration.enabled = c.check(['domains', i, 'registration', 'enabled'], r['enabled'], booleanValue);
    }
    return domain;
  });
}

function readListener(c: FileChecker, at: KeyPath, raw: unknown, base: ListenerConfig): ListenerConfig {
  const m = c.map(at, raw, ['enabled', 'host', 'port']);
  const out = { ...base };
  if ('enabled' in m) out.enabled = c.check([...at, 'enabled'], m['enabled'], booleanValue);
  if ('host' in m) out.host = c.check([...at, 'host'], m['host'], hostValue);
  if ('port' in m) out.port = c.check([...at, 'port'], m['port'], portNumber);
  return out;
}

function readModules(c: FileChecker, raw: unknown): HeraldConfig['modules'] {
  const out: HeraldConfig['modules'] = {};
  // `modules:` with nothing under it is an empty map, not an error.
  if (raw === null) return out;
  if (!isPlainMap(raw)) c.fail(['modules'], expectedFound('a map of module names', raw));
  for (const [name, value] of Object.entries(raw)) {
    c.check(['modules', name], name, moduleName, 'key');
    // Listing a module (even as `muc:` alone) means it is wanted; options are checked by the module.
    const m = value === null ? {} : c.map(['modules', name], value, ['enabled', 'options']);
    const enabled = 'enabled' in m ? c.check(['modules', name, 'enabled'], m['enabled'], booleanValue) : true;
    let options: Record<string, unknown> = {};
    if ('options' in m && m['options'] !== null) {
      const o = m['options'];
      if (!isPlainMap(o)) c.fail(['modules', name, 'options'], expectedFound('a map of module options', o));
      options = o;
    }
    out[name] = { enabled, options };
  }
  return out;
}

/** Wraps value checks so that failures become ConfigErrors pointing at the file and line. */
export class FileChecker {
  constructor(private readonly ctx: FileContext) {}

  fail(at: KeyPath, problem: string, which: 'key' | 'value' = 'value'): never {
    const line = this.ctx.locate(at, which);
    const file = this.ctx.displayName;
    throw new ConfigError(line === undefined ? { kind: 'file', file } : { kind: 'file', file, line }, joinKeyPath(at), problem);
  }

  check<T>(at: KeyPath, value: unknown, fn: (v: unknown) => T, which: 'key' | 'value' = 'value'): T {
    try {
      return fn(value);
    } catch (e) {
      if (e instanceof Invalid) this.fail(at, expectedFound(e.expected, value), which);
      throw e;
    }
  }

  /** A map whose keys must all be in `known`. */
  map(at: KeyPath, value: unknown, known: readonly string[]): Record<string, unknown> {
    if (!isPlainMap(value)) this.fail(at, expectedFound(`a map with keys ${known.join(', ')}`, value));
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const guess = closestKey(key, known);
      const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
      this.fail([...at, key], `unknown key${hint}; expected one of ${known.join(', ')}`, 'key');
    }
    return value;
  }

  /** A path, resolved against the file's folder when relative. */
  path(at: KeyPath, value: unknown): string {
    return path.resolve(this.ctx.baseDir, this.check(at, value, pathValue));
  }
}
