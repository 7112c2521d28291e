// Environment overrides, applied after the file: the usual way to adjust a container or a test
// run without editing YAML. Each variable is checked on its own and errors name the variable.
import path from 'node:path';
import { ConfigError, expectedFound } from './config-error.js';
import { defaultDomain } from './defaults.js';
import type { HeraldConfig } from './types.js';
import { postgresUrlProblem } from './postgres-url.js';
import { domainName, hostValue, Invalid, logLevel, pathValue, portNumber } from './values.js';
import { nodeIdValue, redisUrlValue } from './cluster-values.js';

export const ENV_VARIABLES = [
  'HERALD_DOMAINS',
  'HERALD_BIND',
  'HERALD_C2S_PORT',
  'HERALD_C2S_TLS_PORT',
  'HERALD_HTTP_PORT',
  'HERALD_HTTPS_PORT',
  'HERALD_DATA_DIR',
  'HERALD_CERTS_DIR',
  'HERALD_LOG_LEVEL',
  'HERALD_POSTGRES_URL',
  'HERALD_NODE_ID',
  'HERALD_REDIS_URL',
  'HERALD_S2S_PORT',
  'HERALD_S2S_TLS_PORT',
] as const;

/** Returns `base` with overrides from `env` applied; relative paths resolve against `cwd`. */
export function applyEnv(base: HeraldConfig, env: NodeJS.ProcessEnv, cwd: string): HeraldConfig {
  const out = structuredClone(base);
  // An empty variable counts as unset: compose files and CI often define variables as "".
  const get = (name: (typeof ENV_VARIABLES)[number]): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const domains = get('HERALD_DOMAINS');
  if (domains !== undefined) {
    const names = domains.split(',').map((d) => d.trim()).filter((d) => d !== '');
    const seen = new Set<string>();
    out.domains = names.map((raw) => {
      const name = check('HERALD_DOMAINS', raw, domainName);
      if (seen.has(name)) throw new ConfigError(envSource('HERALD_DOMAINS'), undefined, `expected each domain once, found ${name} again`);
      seen.add(name);
      // A domain the file already configures keeps its certificate and registration settings.
      return base.domains.find((d) => d.name === name) ?? defaultDomain(name);
    });
    if (out.domains.length === 0) {
      throw new ConfigError(envSource('HERALD_DOMAINS'), undefined, expectedFound('a comma-separated list of domains', domains));
    }
  }

  const bind = get('HERALD_BIND');
  if (bind !== undefined) {
    const host = check('HERALD_BIND', bind, hostValue);
    // Every listener, as documented: a federating server bound to one address needs s2s there too.
    // Except plain HTTP, which stays where the file put it (loopback): it is for a local proxy.
    for (const [name, listener] of Object.entries(out.listeners)) if (name !== 'http') listener.host = host;
  }

  const c2sPort = get('HERALD_C2S_PORT');
  if (c2sPort !== undefined) out.listeners.c2s.port = check('HERALD_C2S_PORT', c2sPort, portFromString);
  const tlsPort = get('HERALD_C2S_TLS_PORT');
  if (tlsPort !== undefined) out.listeners.c2sDirectTls.port = check('HERALD_C2S_TLS_PORT', tlsPort, portFromString);

  // Two federating nodes on one machine need their own s2s ports, like their c2s ones.
  const s2sPort = get('HERALD_S2S_PORT');
  if (s2sPort !== undefined) out.listeners.s2s.port = check('HERALD_S2S_PORT', s2sPort, portFromString);
  const s2sTlsPort = get('HERALD_S2S_TLS_PORT');
  if (s2sTlsPort !== undefined) out.listeners.s2sTls.port = check('HERALD_S2S_TLS_PORT', s2sTlsPort, portFromString);

  const httpPort = get('HERALD_HTTP_PORT');
  if (httpPort !== undefined) out.listeners.http.port = check('HERALD_HTTP_PORT', httpPort, portFromString);
  const httpsPort = get('HERALD_HTTPS_PORT');
  if (httpsPort !== undefined) out.listeners.https.port = check('HERALD_HTTPS_PORT', httpsPort, portFromString);

  const dataDir = get('HERALD_DATA_DIR');
  if (dataDir !== undefined) out.storage.dataDir = path.resolve(cwd, check('HERALD_DATA_DIR', dataDir, pathValue));
  const certsDir = get('HERALD_CERTS_DIR');
  if (certsDir !== undefined) out.certsDir = path.resolve(cwd, check('HERALD_CERTS_DIR', certsDir, pathValue));

  const level = get('HERALD_LOG_LEVEL');
  if (level !== undefined) out.logging.level = check('HERALD_LOG_LEVEL', level, (v) => logLevel(String(v).toLowerCase()));

  const postgresUrl = get('HERALD_POSTGRES_URL');
  if (postgresUrl !== undefined) {
    const problem = postgresUrlProblem(postgresUrl);
    if (problem !== undefined) throw new ConfigError(envSource('HERALD_POSTGRES_URL'), undefined, problem);
    out.cluster = { ...out.cluster, postgresUrl };
  }
  const nodeId = get('HERALD_NODE_ID');
  if (nodeId !== undefined) out.cluster = { ...out.cluster, nodeId: check('HERALD_NODE_ID', nodeId, nodeIdValue) };
  const redisUrl = get('HERALD_REDIS_URL');
  if (redisUrl !== undefined) out.cluster = { ...out.cluster, redisUrl: check('HERALD_REDIS_URL', redisUrl, redisUrlValue) };

  return out;
}

function portFromString(value: unknown): number {
  // Only plain digits: Number() would also accept "0x10", "1e3" and " ".
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value)) throw new Invalid('a port number 0-65535');
  return portNumber(Number(value));
}

function check<T>(variable: string, value: string, fn: (v: unknown) => T): T {
  try {
    return fn(value);
  } catch (e) {
    if (e instanceof Invalid) throw new ConfigError(envSource(variable), undefined, expectedFound(e.expected, value));
    throw e;
  }
}

function envSource(variable: string): { kind: 'env'; variable: string } {
  return { kind: 'env', variable };
}
