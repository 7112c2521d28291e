// What the console shows and does. Every action is the operation the CLI runs (accounts,
// invite-operations, session listing, certificate inspection), so console and CLI cannot
// disagree; kicking and deleting also end the account's live sessions, which only the running
// server can do.
import type { ModuleContext } from '../../core/modules/module.js';
import type { LogRecentEvent, S2sLinksEvent } from '../../core/events.js';
import { createInvitation, OperationError } from '../../admin/invite-operations.js';
import { listSessions } from '../../admin/session-listing.js';
import { inspectCertificates } from '../../net/certificate-inspection.js';
import { inviteLandingUrl, isInviteUsable } from '../../auth/invites.js';
import { passwordProblem } from '../../auth/password-policy.js';
import { parseJid, type Jid } from '../../protocol/jid.js';

/** How many of the fullest offline queues the console lists. */
const LARGEST_QUEUES = 20;
/** How many of the newest log lines the console shows (refreshed with the rest, so a live tail). */
const LOG_LINES = 200;

export async function consoleState(ctx: ModuleContext): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  const links: S2sLinksEvent = { links: [] };
  await ctx.fire('s2s/links', links);
  const log: LogRecentEvent = { max: LOG_LINES, lines: [] };
  await ctx.fire('log/recent', log);
  return {
    domains: ctx.config.domains.map((d) => d.name),
    users: (await ctx.accounts.list()).map((u) => ({ jid: `${u.username}@${u.domain}`, createdAt: new Date(u.createdAt).toISOString() })),
    sessions: listSessions(ctx.delivery.local.values(), undefined),
    invites: (await ctx.storage.invites.list()).map(({ tokenHash: _secret, ...shown }) => ({ ...shown, usable: isInviteUsable(shown as never, now) })),
    s2s: links.links,
    log: log.lines,
    offline: await ctx.storage.offline.queues(LARGEST_QUEUES),
    certificates: inspectCertificates(ctx.config).map((c) => ({
      domain: c.domain,
      problem: c.problem ?? null,
      names: c.info?.names ?? [],
      selfSigned: c.info?.selfSigned ?? null,
      validTo: c.info?.validTo.toISOString() ?? null,
      sha256: c.info?.sha256 ?? null,
    })),
  };
}

function account(ctx: ModuleContext, text: unknown): Jid {
  let jid: Jid;
  try {
    jid = parseJid(String(text ?? '').trim());
  } catch (error) {
    throw new OperationError(`'${String(text)}' is not a valid JID: ${(error as Error).message}`);
  }
  if (!jid.local || jid.resource) throw new OperationError(`'${jid.toString()}' is not an account address (expected user@domain)`);
  if (!ctx.hosts.has(jid.domain)) throw new OperationError(`'${jid.domain}' is not served here`);
  return jid;
}

function password(ctx: ModuleContext, text: unknown): string {
  const value = typeof text === 'string' ? text : '';
  const weak = value === '' ? 'the password must not be empty' : passwordProblem(value, ctx.config.auth.minPasswordLength);
  if (weak !== undefined) throw new OperationError(weak);
  return value;
}

async function endSessions(ctx: ModuleContext, bare: string, text: string, fullJid?: string): Promise<number> {
  const refs = (await ctx.sessions.byBareJid(bare)).filter((ref) => fullJid === undefined || ref.jid === fullJid);
  for (const ref of refs) await ctx.delivery.closeSession(ref, 'policy-violation', text);
  return refs.length;
}

export type ConsoleAction = (ctx: ModuleContext, body: Record<string, unknown>, admin: string) => Promise<Record<string, unknown>>;

export const CONSOLE_ACTIONS: Record<string, ConsoleAction> = {
  async 'user-add'(ctx, body, admin) {
    const jid = account(ctx, body.jid);
    if ((await ctx.accounts.create(jid, password(ctx, body.password))) === 'exists') throw new OperationError(`${jid.toString()} already exists`);
    ctx.log.info({ account: jid.toString(), admin }, 'account created in the admin console');
    return { created: jid.toString() };
  },
  async 'user-password'(ctx, body, admin) {
    const jid = account(ctx, body.jid);
    if (!(await ctx.accounts.setPassword(jid, password(ctx, body.password)))) throw new OperationError(`no account ${jid.toString()}`);
    ctx.log.info({ account: jid.toString(), admin }, 'password reset in the admin console');
    return { changed: jid.toString() };
  },
  async 'user-delete'(ctx, body, admin) {
    const jid = account(ctx, body.jid);
    // The confirmation is the account typed again, as `herald user del` asks.
    if (body.confirm !== jid.toString()) throw new OperationError(`type ${jid.toString()} again to confirm the deletion`);
    if (!(await ctx.accounts.delete(jid))) throw new OperationError(`no account ${jid.toString()}`);
    await endSessions(ctx, jid.toString(), 'the account was deleted');
    ctx.log.info({ account: jid.toString(), admin }, 'account deleted in the admin console');
    return { deleted: jid.toString() };
  },
  async 'session-kick'(ctx, body, admin) {
    const full = parseJid(String(body.jid ?? ''));
    const ended = await endSessions(ctx, full.toBareString(), 'ended by an administrator', full.resource ? full.toString() : undefined);
    if (ended === 0) throw new OperationError(`no session of ${full.toString()}`);
    ctx.log.info({ jid: full.toString(), admin, sessions: ended }, 'sessions ended in the admin console');
    return { ended };
  },
  async 'invite-create'(ctx, body, admin) {
    const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
    const [domain, user, contact] = [str(body.domain), str(body.user), str(body.contact)];
    const issued = await createInvitation(
      { config: ctx.config, accounts: ctx.accounts, storage: ctx.storage, now: ctx.clock.now() },
      { ...(domain ? { domain } : {}), ...(user ? { user } : {}), ...(contact ? { contact } : {}), ttl: str(body.ttl) ?? '7d', admin: body.admin === true, register: body.register !== false },
    );
    const base = ctx.httpsUrl(issued.invite.domain);
    ctx.log.info({ invite: issued.invite.id, admin }, 'invitation created in the admin console');
    return { id: issued.invite.id, uri: issued.uri, landingUrl: base === undefined ? null : inviteLandingUrl(base, issued.token) };
  },
  async 'invite-revoke'(ctx, body, admin) {
    const id = String(body.id ?? '');
    if (!(await ctx.storage.invites.delete(id))) throw new OperationError(`no invitation ${id}`);
    ctx.log.info({ invite: id, admin }, 'invitation revoked in the admin console');
    return { revoked: id };
  },
};
