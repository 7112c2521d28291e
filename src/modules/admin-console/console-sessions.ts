// Console logins: an administrator's XMPP credentials checked against the stored SCRAM hashes
// (no password is ever stored), then a random session id in an HttpOnly, Secure, SameSite=Strict
// cookie. Sessions live in the key-value store under the id's hash, so any node can check them
// and a stolen database holds no usable cookie; each carries its own CSRF token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ModuleContext } from '../../core/modules/module.js';
import { roleOf } from '../../auth/roles.js';
import { parseJid, type Jid } from '../../protocol/jid.js';

const SCOPE = 'admin-console-sessions';
export const COOKIE = 'herald_console';
export const CONSOLE_PATH = '/admin/';

export interface ConsoleSession {
  account: string;
  csrf: string;
  expiresAt: number;
}

const keyOf = (id: string): string => createHash('sha256').update(id).digest('hex');

function cookieValue(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

export function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ConsoleSessions {
  /** The administrator's JID when the password is right and the account is an admin. */
  verify(jidText: string, password: string): Promise<Jid | undefined>;
  /** Starts a session; returns the Set-Cookie header. */
  start(account: Jid): Promise<string>;
  current(req: IncomingMessage): Promise<ConsoleSession | undefined>;
  /** Ends the session; returns the Set-Cookie header that clears the cookie. */
  end(req: IncomingMessage): Promise<string>;
}

export function consoleSessions(ctx: ModuleContext, lifetimeMs: number): ConsoleSessions {
  return {
    async verify(jidText, password) {
      let jid: Jid;
      try {
        jid = parseJid(jidText.trim()).bare;
      } catch {
        return undefined;
      }
      if (!jid.local || !ctx.hosts.has(jid.domain) || !(await ctx.accounts.verify(jid, password))) return undefined;
      return (await roleOf(ctx.storage, jid)) === 'admin' ? jid : undefined;
    },
    async start(account) {
      const id = randomBytes(32).toString('base64url');
      const session: ConsoleSession = { account: account.toBareString(), csrf: randomBytes(24).toString('base64url'), expiresAt: ctx.clock.now() + lifetimeMs };
      await ctx.storage.kv.set(SCOPE, keyOf(id), JSON.stringify(session));
      return `${COOKIE}=${id}; Path=${CONSOLE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.floor(lifetimeMs / 1000)}`;
    },
    async current(req) {
      const id = cookieValue(req);
      if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const stored = await ctx.storage.kv.get(SCOPE, keyOf(id));
      if (stored === undefined) return undefined;
      const session = JSON.parse(stored) as ConsoleSession;
      if (session.expiresAt <= ctx.clock.now()) {
        await ctx.storage.kv.delete(SCOPE, keyOf(id));
        return undefined;
      }
      // An administrator demoted since logging in loses the console at once.
      return (await roleOf(ctx.storage, parseJid(session.account))) === 'admin' ? session : undefined;
    },
    async end(req) {
      const id = cookieValue(req);
      if (id !== undefined) await ctx.storage.kv.delete(SCOPE, keyOf(id));
      return `${COOKIE}=; Path=${CONSOLE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;
    },
  };
}
