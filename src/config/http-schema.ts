// The `http:` block of the configuration file (see schema.ts for the rules every block follows).
import { isIP } from 'node:net';
import { expectedFound } from './config-error.js';
import type { HttpConfig } from './types.js';
import { integerInRange, Invalid } from './values.js';
import type { FileChecker, KeyPath } from './schema.js';

function ipAddress(value: unknown): string {
  if (typeof value !== 'string' || isIP(value) === 0) throw new Invalid('an IP address such as 127.0.0.1 or ::1');
  return value.toLowerCase();
}

export function readHttp(c: FileChecker, raw: unknown, base: HttpConfig): HttpConfig {
  const at: KeyPath = ['http'];
  const m = c.map(at, raw, ['trustedProxies', 'maxConnectionsPerAddress', 'headersTimeoutSeconds', 'idleTimeoutSeconds', 'publicUrl']);
  const out = structuredClone(base);
  if ('trustedProxies' in m && m['trustedProxies'] !== null) {
    const list = m['trustedProxies'];
    if (!Array.isArray(list)) c.fail([...at, 'trustedProxies'], expectedFound('a list of proxy IP addresses', list));
    out.trustedProxies = list.map((v: unknown, i) => c.check([...at, 'trustedProxies', i], v, ipAddress));
  }
  if ('maxConnectionsPerAddress' in m) out.maxConnectionsPerAddress = c.check([...at, 'maxConnectionsPerAddress'], m['maxConnectionsPerAddress'], (v) => integerInRange(v, 1));
  if ('headersTimeoutSeconds' in m) out.headersTimeoutSeconds = c.check([...at, 'headersTimeoutSeconds'], m['headersTimeoutSeconds'], (v) => integerInRange(v, 1, 3600));
  if ('idleTimeoutSeconds' in m) out.idleTimeoutSeconds = c.check([...at, 'idleTimeoutSeconds'], m['idleTimeoutSeconds'], (v) => integerInRange(v, 1, 86400));
  if ('publicUrl' in m && m['publicUrl'] !== null) out.publicUrl = c.check([...at, 'publicUrl'], m['publicUrl'], publicUrl);
  return out;
}

/** An https:// origin, no path (links are built as `<publicUrl>/invite/…`). */
function publicUrl(value: unknown): string {
  const url = typeof value === 'string' && /^https:\/\/[^/\s?#]+\/?$/.test(value) ? value : undefined;
  if (url === undefined) throw new Invalid('an https:// address without a path, such as https://chat.example.org');
  return url.replace(/\/$/, '');
}
