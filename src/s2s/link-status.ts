// What `herald s2s status` shows for one server-to-server link. Each OutboundLink and
// InboundStream reports its own, from its own state (see their `status()` methods).
import type { XmlStream } from '../stream/xml-stream.js';

export type AuthMethod = 'dialback' | 'sasl-external';

/** How a link's TLS came about: STARTTLS inside a first stream, or TLS from the first byte (XEP-0368). */
export type LinkTransport = 'starttls' | 'direct-tls';

/** One link as the admin socket reports it (JSON). */
export interface LinkStatus {
  direction: 'in' | 'out';
  /** Our domain (for an incoming stream: the one the peer addressed; empty before its header). */
  local: string;
  /** Remote domains: the outgoing link's peer, or every domain authenticated on an incoming stream (or the one claimed, before). */
  remote: string[];
  remoteAddress: string;
  /** `TLSv1.3`, …; undefined before STARTTLS. */
  tls: string | undefined;
  /** STARTTLS or direct TLS (XEP-0368); undefined before an outgoing link is secured. */
  transport?: LinkTransport | undefined;
  /** Per remote domain, how it was authenticated; empty while negotiating. */
  auth: { domain: string; method: AuthMethod }[];
  /** `failed`: no link now; the last attempt failed (`lastError`) and the pair is in back-off. */
  state: 'negotiating' | 'ready' | 'failed';
  /** Why the last attempt to open a link to this peer failed, while that is remembered. */
  lastError?: string;
  /** Failed links: seconds until the next attempt may be made. */
  retryInSeconds?: number;
  ageSeconds: number;
  stanzasIn: number;
  stanzasOut: number;
  /** Stanzas waiting: on an outgoing link those held until it is authenticated; incoming, elements not yet handled. */
  queue: number;
  /** Outgoing: stanzas written that the peer has not acknowledged yet (XEP-0198; 0 without it). */
  unacked?: number;
  /** Bytes written but not yet taken by the network. */
  bufferedBytes: number;
}

/** The socket-level fields of a status, read from the link's stream (undefined: no socket yet). */
export function streamFields(stream: XmlStream | undefined): Pick<LinkStatus, 'remoteAddress' | 'tls' | 'bufferedBytes'> {
  const endpoint = stream?.remoteEndpoint;
  return {
    remoteAddress: endpoint === undefined ? '' : endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`,
    tls: stream?.tlsSocket?.getProtocol() ?? undefined,
    bufferedBytes: stream?.bufferedBytes ?? 0,
  };
}

/** A pair with no live link whose last attempt failed, as a status row. */
export function failedLinkStatus(local: string, remote: string, failure: { reason: string; at: number; retryAt: number }, now: number): LinkStatus {
  return {
    direction: 'out',
    local,
    remote: [remote],
    remoteAddress: '',
    tls: undefined,
    auth: [],
    state: 'failed',
    lastError: failure.reason,
    retryInSeconds: Math.max(0, Math.ceil((failure.retryAt - now) / 1000)),
    ageSeconds: ageSeconds(failure.at, now),
    stanzasIn: 0,
    stanzasOut: 0,
    queue: 0,
    bufferedBytes: 0,
  };
}

/** Whole seconds from `since` to `now` (never negative). */
export function ageSeconds(since: number, now: number): number {
  return Math.max(0, Math.round((now - since) / 1000));
}
