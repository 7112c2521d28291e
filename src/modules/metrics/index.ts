// Prometheus metrics at /metrics (prom-client text format). Served on the plain HTTP listener
// only, which binds to loopback by default, unless `onHttps` is set; `bearerToken` guards it
// where the listener is reachable by others. Counting is done from generic core events
// (traffic, failed logins, storage timings), never by knowing any XEP.
import { timingSafeEqual } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { HeraldModule } from '../../core/modules/module.js';
import { booleanOption, rejectUnknownOptions, stringOption } from '../../core/modules/options.js';
import type { HttpRequest } from '../../http/http-routes.js';
import { plainAnswer } from '../../http/http-listener.js';
import { countTraffic } from './traffic.js';
import { countAuthFailures } from './auth-failures.js';
import { measureOfflineQueues, measureS2sLinks, measureSessions, timeStorage } from './gauges.js';

export const metricsModule: HeraldModule = {
  name: 'metrics',
  enabledByDefault: true,

  load(ctx) {
    rejectUnknownOptions(ctx, ['path', 'onHttps', 'bearerToken']);
    const path = stringOption(ctx, 'path', /^\/[A-Za-z0-9._~/-]*$/, 'an absolute URL path such as /metrics') ?? '/metrics';
    const onHttps = booleanOption(ctx, 'onHttps', false);
    const token = stringOption(ctx, 'bearerToken', /^[\x21-\x7e]{16,}$/, 'at least 16 printable characters without spaces');
    const { http, https } = ctx.config.listeners;
    // No listener would answer: nothing is counted, so a server without HTTP pays nothing.
    if (!http.enabled && !(https.enabled && onHttps)) return;

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    countTraffic(ctx, registry);
    countAuthFailures(ctx, registry);
    measureSessions(ctx, registry);
    measureS2sLinks(ctx, registry);
    measureOfflineQueues(ctx, registry);
    timeStorage(ctx, registry);

    ctx.serveHttp({
      path,
      methods: ['GET'],
      async handle({ req, res }: HttpRequest) {
        // The HTTPS listener faces the world by default; metrics there only when asked for.
        if (req.socket instanceof TLSSocket && !onHttps) return plainAnswer(res, 404, `nothing is served at ${path}\n`);
        if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
          return plainAnswer(res, 401, 'metrics need "Authorization: Bearer <modules.metrics.options.bearerToken>"\n', { 'WWW-Authenticate': 'Bearer' });
        }
        const body = await registry.metrics();
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
        res.end(body);
      },
    });
  },
};

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
