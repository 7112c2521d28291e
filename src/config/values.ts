// Checks for single configuration values, shared by the file and environment layers. Each check
// returns the normalised value or throws `Invalid` carrying what was expected; the layer that
// called it knows where the value came from and turns that into a ConfigError.
import { parseJid } from '../protocol/jid.js';
import { domainToASCII } from 'node:url';
import { parseNameserver } from '../s2s/resolver-nameserver.js';
import type { HeraldConfig } from './types.js';

export class Invalid extends Error {
  constructor(readonly expected: string) {
    super(expected);
  }
}

export type LogLevel = HeraldConfig['logging']['level'];
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function integerInRange(value: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Invalid(max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer ${min}-${max}`);
  }
  return value;
}

export function portNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Invalid('a port number 0-65535');
  }
  return value;
}

export function booleanValue(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Invalid('true or false');
  return value;
}

export function logLevel(value: unknown): LogLevel {
  const found = LOG_LEVELS.find((l) => l === value);
  if (found === undefined) throw new Invalid(`one of ${LOG_LEVELS.join(', ')}`);
  return found;
}

/** A listener address: an IPv4/IPv6 literal or a host name, no spaces or brackets. */
export function hostValue(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9.:_%-]+$/.test(value)) {
    throw new Invalid('a host name or IP address such as 0.0.0.0 or ::');
  }
  return value;
}

/** A static s2s route target, `host:port` (IPv6 literals in brackets: `[::1]:5269`). */
export function hostPort(value: unknown): { host: string; port: number } {
  const expected = 'host:port such as 192.0.2.1:5269 or [::1]:5269';
  if (typeof value !== 'string') throw new Invalid(expected);
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new Invalid(expected);
  return { host: match[1] ?? match[2] ?? '', port };
}

/**
 * A static s2s route: `host:port` is STARTTLS (RFC 6120), `tls://host:port` direct TLS
 * (XEP-0368). Only the direct-TLS form carries a `kind`; plain routes stay `{ host, port }`.
 */
export function s2sRoute(value: unknown): { host: string; port: number; kind?: 'direct-tls' } {
  const expected = 'host:port (STARTTLS) or tls://host:port (direct TLS) such as 192.0.2.1:5269, [::1]:5269 or tls://192.0.2.1:5270';
  if (typeof value !== 'string') throw new Invalid(expected);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  if (scheme === null) {
    try {
      return hostPort(value);
    } catch {
      throw new Invalid(expected);
    }
  }
  if (scheme[1]!.toLowerCase() !== 'tls') throw new Invalid(expected);
  try {
    return { ...hostPort(value.slice(scheme[0].length)), kind: 'direct-tls' };
  } catch {
    throw new Invalid(expected);
  }
}

/** A DNS server for s2s lookups: `ip` or `ip:port`, IPv6 as `::1` or `[::1]:53`. */
export function nameserverAddress(value: unknown): string {
  const expected = "a nameserver address such as '127.0.0.1', '127.0.0.1:5353' or '[::1]:53'";
  if (typeof value !== 'string') throw new Invalid(expected);
  try {
    return parseNameserver(value);
  } catch {
    throw new Invalid(expected);
  }
}

/** Dialback secrets are HMAC keys: long enough that guessing them is hopeless. */
export function dialbackSecret(value: unknown): string {
  if (typeof value !== 'string' || value.length < 16) throw new Invalid('a secret string of at least 16 characters');
  return value;
}

export function fastTokenSecret(value: unknown): string {
  if (typeof value !== 'string' || value.length < 32) throw new Invalid('a secret string of at least 32 characters');
  return value;
}

export function pathValue(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Invalid('a path (a non-empty string)');
  return value;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain served by Herald, returned lower-cased in IDNA A-label form (RFC 7622 §3.2), with one
 * trailing dot removed as RFC 7622 §3.2.1 requires.
 */
export function domainName(value: unknown): string {
  const expected = 'a domain name such as example.org';
  if (typeof value !== 'string') throw new Invalid(expected);
  const trimmed = value.endsWith('.') ? value.slice(0, -1) : value;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((l) => LABEL.test(l))) {
    throw new Invalid(expected);
  }
  // Stored the way JIDs normalise domains (RFC 7622 §3.2: U-labels), so hosts match parsed JIDs.
  try {
    return parseJid(ascii).domain;
  } catch {
    throw new Invalid(expected);
  }
}

/** Module names become keys that modules look themselves up by; keep them identifier-like. */
export function moduleName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(value)) throw new Invalid('a module name of letters, digits, "-" or "_"');
  return value;
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The closest known key within edit distance 2, for "did you mean" hints on typos. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
