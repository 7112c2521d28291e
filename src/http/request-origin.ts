// Who sent a request and for which domain. X-Forwarded-* headers are believed only from the
// configured proxies: from anyone else they would let a client pick the address that per-address
// limits count, or claim HTTPS it does not have.
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { RequestOrigin } from './http-routes.js';

export interface OriginPolicy {
  /** Proxy addresses whose X-Forwarded-For/Proto/Host are honoured. */
  readonly trustedProxies: ReadonlySet<string>;
  /** True when the name (no port, lower case) is one of our domains. */
  isHosted(name: string): boolean;
  readonly firstDomain: string;
}

export function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/** Every value of a header that may be repeated or comma-joined, in order. */
function lastValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** The host name of `host[:port]` or `[v6]:port`, lower case. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase().replace(/\.$/, '');
}

export function requestOrigin(req: IncomingMessage, policy: OriginPolicy): RequestOrigin {
  const peer = normaliseAddress(req.socket.remoteAddress);
  let address = peer;
  let secure = req.socket instanceof TLSSocket;
  let host = req.headers.host ?? '';
  if (policy.trustedProxies.has(peer)) {
    // Each proxy appends the address it saw: the client is the nearest one that is no proxy of ours.
    const chain = lastValues(req.headers['x-forwarded-for']).map(normaliseAddress);
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      address = chain[i]!;
      if (!policy.trustedProxies.has(address)) break;
    }
    const proto = lastValues(req.headers['x-forwarded-proto']).at(-1);
    if (proto !== undefined) secure = proto.toLowerCase() === 'https';
    const forwardedHost = lastValues(req.headers['x-forwarded-host']).at(-1);
    if (forwardedHost !== undefined) host = forwardedHost;
  }
  const name = hostName(host);
  // An IP address or a name we do not serve (a test, a health check, a proxy's own name) is
  // served for the first domain, so a fresh install answers on https://127.0.0.1:5443/.
  const domain = name !== '' && policy.isHosted(name) ? name : policy.firstDomain;
  return { address, secure, host: host || domain, domain };
}
