// Registration with a presented invitation (XEP-0445 §4, §5): admits the stream where open
// registration is off, holds reserved names for their invitee, spends the invitation only when
// the account is made, and then introduces the invitee to the inviting contact.
import type { PreAuthStream } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { setRole } from '../../auth/roles.js';
import { createJid, parseJid, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { Invite } from '../../storage/types.js';
import { introduce } from './introduce.js';

export function registerAdmission(ctx: ModuleContext, presented: WeakMap<PreAuthStream, string>): void {
  async function welcome(invite: Invite, account: Jid): Promise<void> {
    if (invite.admin) await setRole(ctx.storage, account, 'admin');
    if (invite.contact !== undefined) await introduce(ctx, account, parseJid(invite.contact));
    ctx.log.info({ account: account.toString(), invite: invite.id, contact: invite.contact, admin: invite.admin }, 'account registered with an invitation');
  }

  ctx.on('register/admission', async (event) => {
    const tokenHash = presented.get(event.stream);
    const invite = tokenHash === undefined ? undefined : await ctx.storage.invites.byTokenHash(tokenHash);
    if (event.username === undefined) {
      // Asking for the form: any presented invite (even if spent meanwhile, §4) opens it.
      if (tokenHash !== undefined) event.admitted = true;
      return false;
    }
    const name = event.username;
    const ownName = invite?.username !== undefined && invite.username === name;
    if (invite?.username !== undefined && !ownName) {
      event.refusal = new StanzaError('not-acceptable', `this invitation is for the account name '${invite.username}'`);
      return true;
    }
    // §5: a name reserved for someone invited is theirs until their invitation expires.
    if (!ownName && (await ctx.storage.invites.isReserved(event.domain, name, ctx.clock.now()))) {
      event.refusal = new StanzaError('conflict', 'this username is reserved for an invited person');
      return true;
    }
    if (tokenHash === undefined) return false;
    if (!invite) {
      event.refusal = new StanzaError('not-authorized', 'this invitation was revoked');
      return true;
    }
    const account = createJid(name, event.domain);
    if (!(await ctx.storage.invites.redeem(tokenHash, account.toBareString(), ctx.clock.now()))) {
      event.refusal = new StanzaError('not-authorized', 'this invitation was already used');
      return true;
    }
    event.admitted = true;
    event.settle.push(async (created) => {
      if (created) await welcome(invite, created);
      else await ctx.storage.invites.release(tokenHash, account.toBareString());
    });
    return false;
  });
}
