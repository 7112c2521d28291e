// The HTTP listener's routing table. The core registers nothing XMPP-specific here but the
// WebSocket endpoint; modules add their paths (host-meta, upload) through their context, and the
// registration is undone when the module unloads.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where a request came from and which of our domains it is for (see request-origin.ts). */
export interface RequestOrigin {
  /** The client's address: the socket's, or X-Forwarded-For's when the socket is a trusted proxy. */
  readonly address: string;
  /** True for HTTPS, or for a trusted proxy that says its client used HTTPS. */
  readonly secure: boolean;
  /** host[:port] as the client addressed us (Host, or a trusted proxy's X-Forwarded-Host). */
  readonly host: string;
  /** The hosted domain the request is served for: Host when it names one, else the first domain. */
  readonly domain: string;
}

export interface HttpRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly origin: RequestOrigin;
}

export interface HttpRoute {
  /** Exact path, or a prefix ending in '/' when `prefix` is set. */
  readonly path: string;
  readonly prefix?: boolean;
  /** Methods answered; others get 405. HEAD is answered wherever GET is. */
  readonly methods: readonly string[];
  /**
   * Browsers on other origins may call it (XEP-0156 §3.2, web clients uploading files): CORS
   * headers on every answer, and OPTIONS preflights answered by the listener.
   */
  readonly cors?: { readonly allowHeaders?: readonly string[]; readonly exposeHeaders?: readonly string[] };
  handle(request: HttpRequest): void | Promise<void>;
}

export interface HttpRoutes {
  /** Adds a route; returns its removal. A path taken twice is a programming error. */
  add(route: HttpRoute): () => void;
  find(path: string): HttpRoute | undefined;
  /** `https://<domain>[:port]` once the HTTPS listener is up (its real port, also when configured as 0). */
  publicUrl(domain: string): string | undefined;
  /** Set by the listener once bound. */
  httpsPort: number | undefined;
}

export function createHttpRoutes(): HttpRoutes {
  const exact = new Map<string, HttpRoute>();
  const prefixes: HttpRoute[] = [];
  return {
    httpsPort: undefined,
    publicUrl(domain) {
      if (this.httpsPort === undefined) return undefined;
      return this.httpsPort === 443 ? `https://${domain}` : `https://${domain}:${this.httpsPort}`;
    },
    add(route) {
      const taken = route.prefix ? prefixes.some((r) => r.path === route.path) : exact.has(route.path);
      if (taken) throw new Error(`HTTP path ${route.path} is registered twice`);
      if (route.prefix) prefixes.push(route);
      else exact.set(route.path, route);
      return () => {
        if (!route.prefix) exact.delete(route.path);
        else prefixes.splice(prefixes.indexOf(route), 1);
      };
    },
    find(path) {
      return exact.get(path) ?? prefixes.find((r) => path.startsWith(r.path));
    },
  };
}
