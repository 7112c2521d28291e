// The admin web console at /admin/ (issue 20): users, sessions, invitations, server links,
// offline queues and certificates of the running server. Served on the plain HTTP listener,
// which binds to loopback by default (reach it through an SSH tunnel), and on HTTPS only when
// `onHttps` is set. Only accounts with the admin role log in; see docs/security.md.
import { TLSSocket } from 'node:tls';
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { booleanOption, positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';
import type { HttpRequest } from '../../http/http-routes.js';
import { plainAnswer } from '../../http/http-listener.js';
import { FormBodyError, readFormBody, sendHtml } from '../../http/html.js';
import { hostName } from '../../http/request-origin.js';
import { OperationError } from '../../admin/invite-operations.js';
import { JidError } from '../../protocol/jid.js';
import { CONSOLE_PATH, consoleSessions, sameToken, type ConsoleSessions } from './console-sessions.js';
import { CONSOLE_ACTIONS, consoleState } from './console-api.js';
import { CONSOLE_SCRIPT, consolePage, loginPage } from './console-ui.js';

const DEFAULT_SESSION_MINUTES = 60;
const MAX_BODY_BYTES = 8192;
// Referrer-Policy same-origin: with no-referrer a browser sends `Origin: null` on form posts,
// which the Origin check below could not tell from a cross-site one.
const CONSOLE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'same-origin',
};

function json(res: HttpRequest['res'], status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** A browser's Origin (when sent) must be this very site: a second line of defence after SameSite. */
function sameOrigin(request: HttpRequest): boolean {
  const origin = request.req.headers.origin;
  if (origin === undefined) return true;
  try {
    return hostName(new URL(origin).host) === hostName(request.origin.host) && new URL(origin).host === request.origin.host;
  } catch {
    return false;
  }
}

async function readJson(request: HttpRequest): Promise<Record<string, unknown>> {
  if ((request.req.headers['content-type'] ?? '').split(';')[0]!.trim() !== 'application/json') throw new OperationError('expected application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new OperationError(`the request is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OperationError('expected a JSON object');
  return parsed as Record<string, unknown>;
}

async function login(ctx: ModuleContext, sessions: ConsoleSessions, request: HttpRequest): Promise<void> {
  const { req, res, origin } = request;
  let form: URLSearchParams;
  try {
    form = await readFormBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof FormBodyError) return sendHtml(res, 400, loginPage(error.message), CONSOLE_HEADERS);
    throw error;
  }
  const account = await sessions.verify(form.get('jid') ?? '', form.get('password') ?? '');
  if (!account) {
    // The same line as a failed XMPP login, so fail2ban's filter covers the console too.
    ctx.log.warn({ event: 'auth-failed', account: form.get('jid') ?? '-', address: origin.address, mechanism: 'console', reason: 'not-authorized' }, 'authentication failed');
    ctx.fire('auth/failed', { mechanism: 'console', reason: 'not-authorized' }).catch(() => undefined);
    return sendHtml(res, 403, loginPage('Wrong account or password, or the account is not an administrator.'), CONSOLE_HEADERS);
  }
  ctx.log.info({ account: account.toString(), address: origin.address }, 'admin console login');
  res.writeHead(303, { Location: CONSOLE_PATH, 'Set-Cookie': await sessions.start(account), 'Content-Length': 0 });
  res.end();
}

export const adminConsoleModule: HeraldModule = {
  name: 'admin-console',
  enabledByDefault: true,

  load(ctx) {
    rejectUnknownOptions(ctx, ['onHttps', 'sessionMinutes']);
    const onHttps = booleanOption(ctx, 'onHttps', false);
    const sessions = consoleSessions(ctx, positiveIntegerOption(ctx, 'sessionMinutes', DEFAULT_SESSION_MINUTES) * 60_000);

    ctx.serveHttp({
      path: CONSOLE_PATH,
      prefix: true,
      methods: ['GET', 'POST'],
      async handle(request) {
        const { req, res, url } = request;
        if (req.socket instanceof TLSSocket && !onHttps) return plainAnswer(res, 404, `nothing is served at ${url.pathname}\n`);
        const path = url.pathname.slice(CONSOLE_PATH.length);
        if (req.method === 'POST' && !sameOrigin(request)) return json(res, 403, { error: 'cross-site request refused' });
        if (path === 'console.js') {
          res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': Buffer.byteLength(CONSOLE_SCRIPT), 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
          return void res.end(CONSOLE_SCRIPT);
        }
        if (path === 'login' && req.method === 'POST') return login(ctx, sessions, request);
        const session = await sessions.current(req);
        if (path === '' && req.method === 'GET') {
          return session ? sendHtml(res, 200, consolePage(session.account, session.csrf), CONSOLE_HEADERS) : sendHtml(res, 200, loginPage(), CONSOLE_HEADERS);
        }
        if (!session) return json(res, 401, { error: 'log in first' });
        if (path === 'logout' && req.method === 'POST') {
          const form = await readFormBody(req, MAX_BODY_BYTES).catch(() => new URLSearchParams());
          if (!sameToken(form.get('csrf') ?? undefined, session.csrf)) return json(res, 403, { error: 'missing or wrong CSRF token' });
          res.writeHead(303, { Location: CONSOLE_PATH, 'Set-Cookie': await sessions.end(req), 'Content-Length': 0 });
          return void res.end();
        }
        if (path === 'api/state' && req.method === 'GET') return json(res, 200, await consoleState(ctx));
        const action = path.startsWith('api/') ? CONSOLE_ACTIONS[path.slice(4)] : undefined;
        if (!action || req.method !== 'POST') return json(res, 404, { error: `no such console action: ${path}` });
        // Every change carries the session's CSRF token in a header a cross-site form cannot set.
        if (!sameToken(req.headers['x-csrf-token'] as string | undefined, session.csrf)) return json(res, 403, { error: 'missing or wrong CSRF token' });
        try {
          return json(res, 200, await action(ctx, await readJson(request), session.account));
        } catch (error) {
          if (error instanceof OperationError || error instanceof SyntaxError || error instanceof JidError) return json(res, 400, { error: error.message });
          throw error;
        }
      },
    });
  },
};
