// XEP-0012 Last Activity, answered by the server: to the domain, its uptime (§5); to an account's
// bare JID, 0 while a resource is available, else the seconds since the account last went
// offline with the status it left with (§4) — only for whoever may see the account's presence
// (itself, or a contact with a subscription 'from' or 'both'); anyone else gets forbidden.
// Queries to a full JID are the client's to answer and are routed to it as any IQ.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { PRE_PRESENCE_BARE, SESSION_CLOSED } from '../../core/events.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';

/** kv key, per account: when it last went offline, and the status it left with. */
const KEY = 'last-activity:logout';

interface Logout {
  at: number;
  status?: string;
}

const seconds = (fromMs: number, toMs: number): number => Math.max(0, Math.floor((toMs - fromMs) / 1000));

async function recordLogout(ctx: ModuleContext, account: Jid, status: string | undefined): Promise<void> {
  const logout: Logout = { at: ctx.clock.now(), ...(status ? { status } : {}) };
  await ctx.storage.kv.set(account.toBareString(), KEY, JSON.stringify(logout));
}

async function readLogout(ctx: ModuleContext, account: Jid): Promise<Logout | undefined> {
  const raw = await ctx.storage.kv.get(account.toBareString(), KEY);
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Logout>;
    return typeof value.at === 'number' ? { at: value.at, ...(typeof value.status === 'string' ? { status: value.status } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** §4: the account itself, or a contact the account shares its presence with. */
async function maySeePresence(ctx: ModuleContext, account: Jid, requester: Jid): Promise<boolean> {
  if (requester.toBareString() === account.toBareString()) return true;
  const item = await ctx.storage.roster.getItem(account.toBareString(), requester.toBareString());
  return item?.subscription === 'from' || item?.subscription === 'both';
}

const answer = (secs: number, status?: string): Element => xml('query', { xmlns: NS.last, seconds: secs }, status ?? null);

export const lastActivityModule: HeraldModule = {
  name: 'last-activity',
  enabledByDefault: true,

  load(ctx) {
    const startedAt = ctx.clock.now();

    ctx.handleIq({ target: 'host', type: 'get', xmlns: NS.last, name: 'query', handler: () => answer(seconds(startedAt, ctx.clock.now())) });

    ctx.handleIq({
      target: 'account',
      type: 'get',
      xmlns: NS.last,
      name: 'query',
      handler: async ({ to, from }) => {
        const account = to.bare;
        // Same answer for an unknown account as for a hidden one: nothing to learn by probing.
        if (!(await ctx.accounts.exists(account)) || !(await maySeePresence(ctx, account, from))) {
          throw new StanzaError('forbidden', 'only contacts subscribed to this account’s presence may ask when it was last online');
        }
        if ((await ctx.sessions.byBareJid(account.toBareString())).some((ref) => ref.available)) return answer(0);
        const logout = await readLogout(ctx, account);
        if (!logout) throw new StanzaError('item-not-found', 'this account has not been online since the server started recording it');
        return answer(seconds(logout.at, ctx.clock.now()), logout.status);
      },
    });

    ctx.on('disco/info', (event) => {
      if (event.node === undefined) event.features.add(NS.last);
    });

    // An unavailable broadcast from a client, or a session that simply ended (RFC 6121 §4.5.2).
    ctx.on('pre-presence/bare', async ({ origin, stanza }) => {
      if (origin && stanza.attrs.to === undefined && stanza.attrs.type === 'unavailable') {
        await recordLogout(ctx, origin.jid.bare, stanza.getChildText('status') ?? undefined);
      }
      return false;
    }, PRE_PRESENCE_BARE.recordLogout);
    ctx.on('session/closed', async ({ session }) => {
      if (session.available) await recordLogout(ctx, session.jid.bare, undefined);
      return false;
    }, SESSION_CLOSED.recordLogout);
  },
};
