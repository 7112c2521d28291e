// Live statistics of server-to-server links for the admin socket (`herald s2s status`).
//
// Collected without touching the stream code: each incoming stream and each outgoing link is
// given its own view of the S2sContext whose router, TLS helper and logger report to a record
// here. The events read are the ones the stream code already produces: `router.route` (a stanza
// accepted), `tls.peerProblem` (the TLS socket, once secured), `tls.serverContext` (our domain),
// and the log lines 'incoming server stream authenticated' / 'outgoing server link
// authenticated' / 'cannot open server link' with their `peer`/`remote` and `method` fields
// (the same lines the federation tests rely on).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../util/logger.js';
import type { S2sContext } from '../s2s/s2s-context.js';

export type AuthMethod = 'dialback' | 'sasl-external';

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
  /** Per remote domain, how it was authenticated; empty while negotiating. */
  auth: { domain: string; method: AuthMethod }[];
  state: 'negotiating' | 'ready';
  ageSeconds: number;
  stanzasIn: number;
  stanzasOut: number;
  /** Stanzas waiting: on an outgoing link those held until it is authenticated; incoming, those being routed. */
  queue: number;
  /** Bytes written but not yet taken by the network. */
  bufferedBytes: number;
}

interface LinkRecord {
  direction: 'in' | 'out';
  local: string;
  claimed: string | undefined;
  auth: Map<string, AuthMethod>;
  socket: Socket | undefined;
  tlsSocket: TLSSocket | undefined;
  createdAt: number;
  stanzasIn: number;
  stanzasOut: number;
  queue: number;
  ready: boolean;
}

export interface LinkTracker {
  /** The context an incoming stream on `socket` should use; the record goes when the socket closes. */
  inbound(base: S2sContext, socket: Socket): S2sContext;
  /** The context for outgoing links local → remote (handed to a link when it is created). */
  outbound(base: S2sContext, local: string, remote: string): S2sContext;
  /** A stanza handed to the outgoing link local → remote. */
  sent(local: string, remote: string): void;
  list(): LinkStatus[];
}

export function createLinkTracker(now: () => number = Date.now): LinkTracker {
  const inbound = new Set<LinkRecord>();
  const outbound = new Map<string, { record: LinkRecord | undefined; ctx: S2sContext }>();

  const fresh = (direction: 'in' | 'out', local: string, claimed: string | undefined, socket?: Socket): LinkRecord => ({
    direction, local, claimed, auth: new Map(), socket, tlsSocket: undefined, createdAt: now(), stanzasIn: 0, stanzasOut: 0, queue: 0, ready: false,
  });

  return {
    inbound(base, socket) {
      const record = fresh('in', '', undefined, socket);
      inbound.add(record);
      socket.once('close', () => inbound.delete(record));
      return {
        ...base,
        router: override(base.router, {
          route: (...args: Parameters<S2sContext['router']['route']>) => {
            record.stanzasIn += 1;
            record.queue += 1;
            return Promise.resolve(base.router.route(...args)).finally(() => (record.queue -= 1));
          },
        }),
        tls: override(base.tls, {
          serverContext: (local: string) => {
            record.local = local;
            return base.tls.serverContext(local);
          },
          peerProblem: (tlsSocket: TLSSocket, domain: string) => {
            record.tlsSocket = tlsSocket;
            record.claimed ??= domain;
            return base.tls.peerProblem(tlsSocket, domain);
          },
        }),
        log: tapLog(base.log, (fields, msg) => {
          if (msg === 'incoming server stream authenticated' && typeof fields.peer === 'string') {
            record.auth.set(fields.peer, fields.method === 'sasl-external' ? 'sasl-external' : 'dialback');
            record.ready = true;
          }
        }),
      };
    },

    outbound(base, local, remote) {
      const key = `${local} ${remote}`;
      const existing = outbound.get(key);
      if (existing) return existing.ctx;
      const entry: { record: LinkRecord | undefined; ctx: S2sContext } = { record: undefined, ctx: base };
      const close = (record: LinkRecord) => {
        if (entry.record === record) entry.record = undefined;
      };
      entry.ctx = {
        ...base,
        tls: override(base.tls, {
          peerProblem: (tlsSocket: TLSSocket, domain: string) => {
            const record = entry.record;
            if (record && !record.tlsSocket) {
              record.tlsSocket = tlsSocket;
              tlsSocket.once('close', () => close(record));
            }
            return base.tls.peerProblem(tlsSocket, domain);
          },
        }),
        log: tapLog(base.log, (fields, msg, bindings) => {
          const record = entry.record;
          if (msg === undefined) {
            // A child logger with s2s: 'out' is made by each new OutboundLink: a new link.
            if (bindings.s2s === 'out') entry.record = fresh('out', local, remote);
            return;
          }
          if (!record) return;
          if (msg === 'outgoing server link authenticated') {
            record.auth.set(remote, fields.method === 'sasl-external' ? 'sasl-external' : 'dialback');
            record.ready = true;
            record.queue = 0;
          } else if (msg === 'cannot open server link') close(record);
        }),
      };
      outbound.set(key, entry);
      return entry.ctx;
    },

    sent(local, remote) {
      const record = outbound.get(`${local} ${remote}`)?.record;
      if (!record) return;
      record.stanzasOut += 1;
      if (!record.ready) record.queue += 1;
    },

    list() {
      const at = now();
      const records = [...inbound, ...[...outbound.values()].flatMap((e) => (e.record ? [e.record] : []))];
      return records.map((r): LinkStatus => {
        const socket = r.tlsSocket ?? r.socket;
        const address = socket?.remoteAddress;
        const remote = r.auth.size > 0 ? [...r.auth.keys()] : r.claimed !== undefined ? [r.claimed] : [];
        return {
          direction: r.direction,
          local: r.local,
          remote,
          remoteAddress: address === undefined ? '' : address.includes(':') ? `[${address}]:${socket?.remotePort ?? ''}` : `${address}:${socket?.remotePort ?? ''}`,
          tls: r.tlsSocket?.getProtocol() ?? undefined,
          auth: [...r.auth].map(([domain, method]) => ({ domain, method })),
          state: r.ready ? 'ready' : 'negotiating',
          ageSeconds: Math.max(0, Math.round((at - r.createdAt) / 1000)),
          stanzasIn: r.stanzasIn,
          stanzasOut: r.stanzasOut,
          queue: r.queue,
          bufferedBytes: socket?.writableLength ?? 0,
        };
      });
    },
  };
}

/** `target` with some methods replaced; everything else (prototype methods included) as it was. */
function override<T extends object>(target: T, replacements: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.prototype.hasOwnProperty.call(replacements, property)) return replacements[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  });
}

type LogTap = (fields: Record<string, unknown>, msg: string | undefined, bindings: Record<string, unknown>) => void;

/**
 * A logger that behaves exactly like `log` but shows `tap` each info line (fields and message)
 * and each child logger's creation (msg undefined, with the child's bindings).
 */
function tapLog(log: Logger, tap: LogTap): Logger {
  return override(log, {
    child: (bindings: Record<string, unknown>, options?: object) => {
      tap({}, undefined, bindings);
      return tapLog(options === undefined ? log.child(bindings) : log.child(bindings, options), tap);
    },
    info: (...args: unknown[]) => {
      const [first, second] = args;
      if (typeof first === 'object' && first !== null && typeof second === 'string') tap(first as Record<string, unknown>, second, {});
      else if (typeof first === 'string') tap({}, first, {});
      (log.info as (...a: unknown[]) => void)(...args);
    },
  });
}
