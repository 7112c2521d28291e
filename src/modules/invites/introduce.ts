// Makes an invitee and the inviting account mutual contacts, through the roster's own subscription
// handling (RFC 6121 §3) rather than by writing rosters: each side first pre-approves the other
// (§3.4), so both requests are answered automatically and neither client sees a prompt.
import type { ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';

export async function introduce(ctx: ModuleContext, invitee: Jid, inviter: Jid): Promise<void> {
  const act = (account: Jid, contact: Jid, type: 'subscribe' | 'subscribed') => ctx.fire('roster/subscription-on-behalf', { account, contact, type });
  await act(inviter, invitee, 'subscribed');
  await act(invitee, inviter, 'subscribe');
  await act(invitee, inviter, 'subscribed');
  await act(inviter, invitee, 'subscribe');
}

/** XEP-0379 for an invitee who already has an account: the inviter's half of the above. */
export async function acceptContact(ctx: ModuleContext, inviter: Jid, invitee: Jid): Promise<void> {
  await ctx.fire('roster/subscription-on-behalf', { account: inviter, contact: invitee, type: 'subscribed' });
  await ctx.fire('roster/subscription-on-behalf', { account: inviter, contact: invitee, type: 'subscribe' });
}
