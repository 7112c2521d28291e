// XEP-0379 §3 done by the inviter's server: a subscription request carrying a valid contact
// invitation for the addressed account is approved at once and answered with a request back.
// Runs before the roster handles the request, so the pre-approval it stores is what answers it.
import { hashInviteToken, isInviteUsable } from '../../auth/invites.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { INVITE_NS } from './namespaces.js';
import { acceptContact } from './introduce.js';

/** Above the roster's inbound handler (priority 0). */
const BEFORE_ROSTER = 10;

export function registerRosterPreauth(ctx: ModuleContext): void {
  ctx.on(
    'presence/bare',
    async ({ stanza, from, to }) => {
      if (stanza.attrs.type !== 'subscribe') return false;
      const token = stanza.getChild('preauth', INVITE_NS.pars)?.attrs.token;
      // §4.1: a malformed or unknown token is ignored; the request goes on as a normal one.
      if (typeof token !== 'string' || token === '') return false;
      const tokenHash = hashInviteToken(token);
      const invite = await ctx.storage.invites.byTokenHash(tokenHash);
      if (!invite || !isInviteUsable(invite, ctx.clock.now()) || invite.contact !== to.toBareString()) return false;
      if (!(await ctx.storage.invites.redeem(tokenHash, from.toBareString(), ctx.clock.now()))) return false;
      await acceptContact(ctx, to.bare, from.bare);
      ctx.log.info({ account: to.toBareString(), contact: from.toBareString(), invite: invite.id }, 'contact invitation accepted');
      return false;
    },
    BEFORE_ROSTER,
  );
}
