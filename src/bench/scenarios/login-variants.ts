// The login scenarios beside "login" (SASL1 SCRAM-SHA-1 + bind IQ), so one table shows what each
// way of logging in costs the server:
//   login-sasl2         SASL2 SCRAM-SHA-1 with Bind 2 inline (XEP-0388, XEP-0386)
//   login-fast          a FAST token (XEP-0484 HT-SHA-256-NONE) with Bind 2, over a full TLS handshake
//   login-fast-resumed  the same over a resumed TLS session (ticket from the earlier connection),
//                       as Conversations reconnects
//   login-fast-sm-resume  the same, resuming a hibernated XEP-0198 session inline in SASL2 instead
//                       of binding a new one: Conversations' reconnect (TLS ticket + FAST + resume)
//   tls-only            TCP, STARTTLS and the stream's features, no login: the transport's share
//   tls-resumed-only    the same over a resumed TLS session: the transport's share of a resumed reconnect
// Each ends with initial presence, like "login" (a resumed session keeps its own). Token setup (a SCRAM login requesting the token,
// then one FAST login, which makes it the current token, and for the resume variant enables resumable
// XEP-0198 and drops the connection) is not measured.
import { randomUUID } from 'node:crypto';
import { BenchClient } from '../bench-client.js';
import { closeAll, inParallel } from '../accounts.js';
import { FAST_MECHANISM, offersSasl2, sasl2FastLogin, sasl2ScramLogin } from '../sasl2-login.js';
import { ScenarioUnsupported, type BenchContext, type ScenarioResult } from '../types.js';
import { loginAccounts, measureLogins, type LoginOptions } from './login.js';

export const LOGIN_VARIANTS = ['login-sasl2', 'login-fast', 'login-fast-resumed', 'tls-only', 'login-fast-sm-resume', 'tls-resumed-only'] as const;
export type LoginVariant = (typeof LOGIN_VARIANTS)[number];

export async function loginVariantScenario(ctx: BenchContext, variant: LoginVariant, options: LoginOptions): Promise<ScenarioResult> {
  const names = await loginAccounts(ctx, options, variant.startsWith('tls-') ? 't' : variant === 'login-sasl2' ? 's' : 'f');
  if (variant === 'tls-only') return measureLogins(ctx, variant, options, names, (_) => BenchClient.connect(ctx.target));
  if (variant === 'tls-resumed-only') {
    const sessions = await tlsTickets(ctx, names.length);
    return measureLogins(ctx, variant, options, names, async (_, i) => {
      const client = await BenchClient.connect(ctx.target, { tlsSession: sessions[i] });
      if (!client.tlsResumed) throw new Error('the server did not resume the TLS session');
      return client;
    });
  }
  await requireSasl2(ctx, variant === 'login-sasl2' ? 'SCRAM-SHA-1' : FAST_MECHANISM, variant);
  const agents = names.map(() => randomUUID());
  if (variant === 'login-sasl2') {
    return measureLogins(ctx, variant, options, names, async (name, i) => {
      const client = await BenchClient.connect(ctx.target);
      await sasl2ScramLogin(client, name, ctx.password, { userAgentId: agents[i]! });
      client.send('<presence/>');
      return client;
    });
  }
  const smResume = variant === 'login-fast-sm-resume';
  const tokens = await fastTokens(ctx, names, agents, smResume);
  const resume = variant === 'login-fast-resumed' || smResume;
  return measureLogins(ctx, variant, options, names, async (name, i) => {
    const token = tokens[i]!;
    const client = await BenchClient.connect(ctx.target, resume ? { tlsSession: token.tlsSession } : {});
    if (resume && !client.tlsResumed) throw new Error('the server did not resume the TLS session');
    if (token.hibernated) {
      await sasl2FastLogin(client, name, token.token, agents[i]!, { resume: token.hibernated });
    } else {
      await sasl2FastLogin(client, name, token.token, agents[i]!);
      client.send('<presence/>');
    }
    return client;
  });
}

/** One TLS session ticket per client, from a connection that ends once it has one (not measured). */
async function tlsTickets(ctx: BenchContext, count: number): Promise<Array<Buffer | undefined>> {
  const sessions = new Array<Buffer | undefined>(count);
  await inParallel(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    // A TLS 1.3 ticket follows the handshake, before the server's answer to the stream header.
    const client = await BenchClient.connect(ctx.target);
    sessions[i] = client.tlsSession;
    await closeAll([client]);
  });
  return sessions;
}

async function requireSasl2(ctx: BenchContext, mechanism: string, variant: string): Promise<void> {
  const probe = await BenchClient.connect(ctx.target);
  const offered = offersSasl2(probe, mechanism);
  await probe.close();
  if (!offered) throw new ScenarioUnsupported(`${variant}: the server offers no SASL2 (urn:xmpp:sasl:2) login with ${mechanism}`);
}

interface FastToken {
  token: string;
  tlsSession: Buffer | undefined;
  /** The XEP-0198 session left hibernating, to resume: its id and the client's count of stanzas handled. */
  hibernated?: { previd: string; h: number };
}

/**
 * Per account: a SCRAM login that requests a token, then one FAST login (the token becomes
 * current); with `hibernate`, that login enables resumable XEP-0198, sends presence, and its
 * connection is dropped without closing the stream, so the session waits to be resumed.
 */
async function fastTokens(ctx: BenchContext, names: readonly string[], agents: readonly string[], hibernate: boolean): Promise<FastToken[]> {
  const tokens: FastToken[] = new Array<FastToken>(names.length);
  await inParallel(names, 4, async (name, i) => {
    const first = await BenchClient.connect(ctx.target);
    const issued = (await sasl2ScramLogin(first, name, ctx.password, { userAgentId: agents[i]!, requestToken: true })).token;
    await closeAll([first]);
    if (!issued) throw new Error(`no FAST token issued to ${name}`);
    const second = await BenchClient.connect(ctx.target);
    const login = await sasl2FastLogin(second, name, issued, agents[i]!, { bind: hibernate ? 'sm' : 'plain' });
    tokens[i] = { token: login.token ?? issued, tlsSession: second.tlsSession };
    if (!hibernate) return closeAll([second]);
    if (!login.smId) throw new Error(`no resumable XEP-0198 session for ${name}`);
    second.send('<presence/>');
    await second.ping(); // its reply comes after everything presence caused
    const handled = second.takeQueued().filter((text) => /^<(message|presence|iq)[\s>/]/.test(text)).length + 1; // + the ping's reply
    tokens[i]!.hibernated = { previd: login.smId, h: handled };
    second.destroy();
  });
  return tokens;
}
