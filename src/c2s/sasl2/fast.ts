// XEP-0484 FAST on a SASL2 login: the inline feature, the tokens a client may present, and the
// <token/> a login earns (requested, or a rotation). Tokens are per client (the user agent id)
// and derived on demand (src/auth/fast-token-key.ts); storage keeps two slots per client.
import { xml, type Element } from '../../xml/element.js';
import { createJid, type Jid } from '../../protocol/jid.js';
import { fastTokenOf, newTokenSeed } from '../../auth/fast-token-key.js';
import type { FastToken } from '../../storage/types.js';
import type { TokenCandidate } from '../sasl/mechanism.js';
import type { C2sContext } from '../c2s-context.js';
import type { TokenSource } from '../sasl-negotiation.js';
import { userAgentKey } from './user-agent.js';
import type { AuthenticateRequest } from './elements.js';

export const NS_FAST = 'urn:xmpp:fast:0';

/** §2: offered as a SASL2 inline feature; no 'tls-0rtt': Herald takes no TLS early data. */
export const fastFeature = (mechanisms: readonly string[]): Element => xml('fast', { xmlns: NS_FAST }, mechanisms.map((m) => xml('mechanism', null, m)));

const fastChild = (request: AuthenticateRequest, name: string): Element | undefined => request.inline.find((e) => e.name === name && e.attrs.xmlns === NS_FAST);
const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

/** The account's key tokens derive from (its SCRAM-SHA-256 ServerKey), if it has one. */
async function accountKey(ctx: C2sContext, account: Jid): Promise<Buffer | undefined> {
  return (await ctx.storage.users.getCredential(account.domain, account.local, 'SCRAM-SHA-256'))?.serverKey;
}

/** A token source that remembers which stored token a login used, so the login need not read it again. */
export interface FastTokenSource extends TokenSource {
  /** The token that authenticated this login, as read before it was used; set by its used(). */
  usedToken?: FastToken;
}

/** §4.4: what a token login may check against. Needs the user agent id (§5.1). */
export function tokenSource(ctx: C2sContext, domain: string, request: AuthenticateRequest, offered: readonly string[]): FastTokenSource | undefined {
  const agent = request.userAgent;
  if (!agent || !fastChild(request, 'fast')) return undefined;
  const client = userAgentKey(agent);
  const source: FastTokenSource = {
    offered,
    async lookup(username) {
      let account: Jid;
      try {
        account = createJid(username, domain);
      } catch {
        return [];
      }
      const key = await accountKey(ctx, account);
      if (!key) return [];
      const now = ctx.clock.now();
      const bare = account.toBareString();
      return (await ctx.storage.fastTokens.get(bare, client)).map(
        (t): TokenCandidate => ({
          token: fastTokenOf(key, t.seed, ctx.config.auth.fastTokenSecret),
          mechanism: t.mechanism,
          expired: t.expiresAt <= now,
          used: async () => {
            source.usedToken = t;
            // §6.1: using the 'new' token retires the older one.
            if (t.slot === 'new') await ctx.storage.fastTokens.promote(bare, client, t.seed);
          },
        }),
      );
    },
  };
  return source;
}

/**
 * After a successful SASL2 login: invalidation (§4.6), a requested token (§4.2), or a rotation
 * of the one just used (`usedToken`, the client's current token once used) when past half its
 * lifetime (§4.5). Returns the <token/>, if any.
 */
export async function fastAfterLogin(
  ctx: C2sContext,
  account: Jid,
  request: AuthenticateRequest,
  mechanism: string,
  offered: readonly string[],
  usedToken: FastToken | undefined,
): Promise<Element | undefined> {
  const agent = request.userAgent;
  if (!agent) return undefined;
  const fast = fastChild(request, 'fast');
  const requested = fastChild(request, 'request-token')?.attrs.mechanism;
  if (fast && isTrue(fast.attrs.invalidate)) {
    const client = userAgentKey(agent);
    await ctx.storage.fastTokens.revoke(account.toBareString(), client);
    return requested && offered.includes(requested) ? issue(ctx, account, client, requested) : undefined;
  }
  if (requested !== undefined) return offered.includes(requested) ? issue(ctx, account, userAgentKey(agent), requested) : undefined;
  if (!usedToken || !offered.includes(mechanism)) return undefined;
  const lifetimeMs = ctx.config.auth.fastTokenLifetimeSeconds * 1000;
  if (usedToken.expiresAt - ctx.clock.now() > lifetimeMs / 2) return undefined;
  // The token was looked up under this client's key: no need to hash the user agent id again.
  return issue(ctx, account, usedToken.client, mechanism);
}

/** A new token in the client's 'new' slot (an unused earlier one there is dropped, §4.5). */
async function issue(ctx: C2sContext, account: Jid, client: string, mechanism: string): Promise<Element | undefined> {
  const key = await accountKey(ctx, account);
  if (!key) return undefined;
  const now = ctx.clock.now();
  const token: Omit<FastToken, 'slot'> = {
    account: account.toBareString(),
    client,
    mechanism,
    seed: newTokenSeed(),
    issuedAt: now,
    expiresAt: now + ctx.config.auth.fastTokenLifetimeSeconds * 1000,
  };
  await ctx.storage.fastTokens.issue(token);
  // XEP-0082 DateTime, whole seconds.
  const expiry = new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return xml('token', { xmlns: NS_FAST, token: fastTokenOf(key, token.seed, ctx.config.auth.fastTokenSecret), expiry });
}
