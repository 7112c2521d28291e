// Everything `herald start` refuses (or warns about) before it opens a socket, as a list:
// `herald config check` prints all of it, `herald start` stops on any error. One list for both,
// so check can never call OK a configuration that start rejects.
import { ConfigError, displayPath, joinKeyPath } from '../config/config-error.js';
import type { HeraldConfig, ListenerConfig } from '../config/types.js';
import { inspectCertificates } from '../net/certificate-inspection.js';

export interface Problem {
  severity: 'error' | 'warning';
  /** One line: file:line: key: what is wrong, and what to do. */
  message: string;
}

export function preflight(config: HeraldConfig, moduleNames: readonly string[]): Problem[] {
  return [...moduleProblems(config, moduleNames), ...listenerProblems(config), ...certificateProblems(config)];
}

/** A ConfigError-style line for a value checked after loading, with the line it was written on. */
export function locatedMessage(config: HeraldConfig, keyPath: readonly (string | number)[], problem: string): string {
  const key = joinKeyPath(keyPath);
  if (config.sourceFile === undefined) return new ConfigError({ kind: 'defaults' }, key, problem).message;
  const line = config.sourceLines?.[key];
  const file = displayPath(config.sourceFile);
  return new ConfigError(line === undefined ? { kind: 'file', file } : { kind: 'file', file, line }, key, problem).message;
}

function moduleProblems(config: HeraldConfig, moduleNames: readonly string[]): Problem[] {
  return Object.keys(config.modules)
    .filter((name) => !moduleNames.includes(name))
    .map((name) => ({
      severity: 'error',
      message: locatedMessage(config, ['modules', name], `expected one of ${moduleNames.join(', ')}, found unknown module '${name}'`),
    }));
}

/** Two enabled listeners on one port fail at start with EADDRINUSE; say which two, and where. */
function listenerProblems(config: HeraldConfig): Problem[] {
  const enabled = Object.entries(config.listeners).filter(([, l]) => l.enabled && l.port !== 0) as [string, ListenerConfig][];
  const problems: Problem[] = [];
  enabled.forEach(([name, listener], i) => {
    for (const [otherName, other] of enabled.slice(0, i)) {
      if (other.port !== listener.port || !hostsOverlap(other.host, listener.host)) continue;
      problems.push({
        severity: 'error',
        message: locatedMessage(config, ['listeners', name, 'port'], `expected a port no other listener uses, found ${listener.port}, which listeners.${otherName} uses too`),
      });
    }
  });
  return problems;
}

function hostsOverlap(a: string, b: string): boolean {
  const any = (h: string) => h === '0.0.0.0' || h === '::' || h === '';
  return a === b || any(a) || any(b);
}

/** Certificate files as start would read them: unreadable, mismatched, for another name, expired. */
export function certificateProblems(config: HeraldConfig): Problem[] {
  const problems: Problem[] = [];
  for (const found of inspectCertificates(config)) {
    const at = found.configured ? ['domains', found.index, 'tls', found.problemPart ?? 'cert'] : ['domains', found.index, 'name'];
    const where = (text: string) => (found.configured ? locatedMessage(config, at, text) : `${found.certPath}: ${text}`);
    if (found.problem !== undefined) {
      // certsDir problems already name their files.
      problems.push({ severity: 'error', message: found.configured ? where(found.problem) : found.problem });
      continue;
    }
    if (found.info === undefined) continue; // generated on first start
    const { info } = found;
    if (!info.namesDomain) {
      problems.push({ severity: 'error', message: where(`expected a certificate naming ${found.domain}, found one naming ${info.names.join(', ') || 'nothing'}`) });
    }
    const daysLeft = Math.floor((info.validTo.getTime() - Date.now()) / 86_400_000);
    if (daysLeft < 0) problems.push({ severity: 'error', message: where(`certificate expired on ${info.validTo.toISOString()}`) });
    else if (daysLeft < 14) problems.push({ severity: 'warning', message: where(`certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${info.validTo.toISOString()}); renew it`) });
    if (found.keyReadableByOthers) problems.push({ severity: 'warning', message: `${found.keyPath}: private key is readable by other users; chmod 600 it` });
  }
  return problems;
}
