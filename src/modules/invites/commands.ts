// XEP-0401 §4–5 as XEP-0050 commands, so clients make invitations themselves: any user can
// invite a friend to become a contact (and register here); an administrator can make an
// account invitation, with or without a reserved name.
import { inviteLandingUrl, issueInvite, isInviteUsable, registerUri } from '../../auth/invites.js';
import { roleOf } from '../../auth/roles.js';
import type { AdhocExecuteEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { createJid, JidError, type Jid } from '../../protocol/jid.js';
import { resultForm } from '../../protocol/data-form.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';

const INVITE = 'urn:xmpp:invite#invite';
const CREATE_ACCOUNT = 'urn:xmpp:invite#create-account';
const INVITATION_FORM = 'urn:xmpp:invite#invitation';

export interface InviteCommandLimits {
  ttlMs: number;
  /** Unused invitations one user may have open at once. */
  maxOpenPerUser: number;
}

export function registerInviteCommands(ctx: ModuleContext, limits: InviteCommandLimits): void {
  const isLocalUser = async (requester: Jid, domain: string): Promise<boolean> => requester.domain === domain && requester.local !== '' && (await ctx.accounts.exists(requester.bare));

  ctx.on('adhoc/list', async (event) => {
    if (!(await isLocalUser(event.requester, event.domain))) return false;
    event.commands.push({ node: INVITE, name: 'Invite someone' });
    if ((await roleOf(ctx.storage, event.requester)) === 'admin') event.commands.push({ node: CREATE_ACCOUNT, name: 'Create an account invitation' });
    return false;
  });

  // XEP-0401 §5.3: `landing-url` when the HTTPS landing page is served.
  const completed = (node: string, sessionid: string | undefined, uri: string, issued: { invite: { domain: string; expiresAt: number }; token: string }): Element => {
    const base = ctx.httpsUrl(issued.invite.domain);
    return xml(
      'command',
      { xmlns: NS.adhoc, node, sessionid, status: 'completed' },
      resultForm(INVITATION_FORM, [
        { var: 'uri', values: [uri] },
        ...(base === undefined ? [] : [{ var: 'landing-url', values: [inviteLandingUrl(base, issued.token)] }]),
        { var: 'expire', values: [new Date(issued.invite.expiresAt).toISOString()] },
      ]),
    );
  };

  async function invite(event: AdhocExecuteEvent): Promise<Element> {
    const inviter = event.requester.toBareString();
    const now = ctx.clock.now();
    const open = (await ctx.storage.invites.list(event.domain)).filter((i) => i.contact === inviter && isInviteUsable(i, now)).length;
    if (open >= limits.maxOpenPerUser) {
      throw new StanzaError('policy-violation', `you already have ${open} unused invitations; wait until they are used or expire`);
    }
    const issued = issueInvite({ domain: event.domain, contact: inviter, allowRegistration: true, ttlMs: limits.ttlMs, now });
    await ctx.storage.invites.create(issued.invite);
    ctx.log.info({ account: inviter, invite: issued.invite.id }, 'invitation created by a user');
    return completed(INVITE, event.command.attrs.sessionid, issued.uri, issued);
  }

  async function createAccount(event: AdhocExecuteEvent): Promise<Element> {
    const form = event.command.getChild('x', NS.dataForms);
    if (!form || form.attrs.type !== 'submit') {
      // §5.3: first step, the form. Nothing is kept: the submission carries everything.
      return xml(
        'command',
        { xmlns: NS.adhoc, node: CREATE_ACCOUNT, sessionid: ctx.ids.next(), status: 'executing' },
        xml('actions', { execute: 'complete' }, xml('complete')),
        xml(
          'x',
          { xmlns: NS.dataForms, type: 'form' },
          xml('title', null, 'Create an account invitation'),
          xml('field', { var: 'username', type: 'text-single', label: 'Account name (empty: the invitee chooses)' }),
          xml('field', { var: 'roster-subscription', type: 'boolean', label: 'Add the new account to my contacts' }, xml('value', null, '1')),
        ),
      );
    }
    const value = (name: string): string => form.getChildren('field').find((f) => f.attrs.var === name)?.getChildText('value')?.trim() ?? '';
    let username: string | undefined;
    if (value('username') !== '') {
      try {
        username = createJid(value('username'), event.domain).local;
      } catch (error) {
        if (error instanceof JidError) throw new StanzaError('not-acceptable', `'${value('username')}' cannot be used as an account name`);
        throw error;
      }
      if (await ctx.accounts.exists(createJid(username, event.domain))) throw new StanzaError('conflict', `${username}@${event.domain} already exists`);
    }
    const subscribe = ['1', 'true'].includes(value('roster-subscription'));
    const issued = issueInvite({
      domain: event.domain,
      ...(username === undefined ? {} : { username }),
      ...(subscribe ? { contact: event.requester.toBareString() } : {}),
      ttlMs: limits.ttlMs,
      now: ctx.clock.now(),
    });
    await ctx.storage.invites.create(issued.invite);
    ctx.log.info({ account: event.requester.toBareString(), invite: issued.invite.id, username }, 'account invitation created by an administrator');
    // The account link, not the contact link: this invitation is first of all for an account.
    const uri = registerUri(issued.invite, issued.token);
    return completed(CREATE_ACCOUNT, event.command.attrs.sessionid as string | undefined, uri, issued);
  }

  ctx.on('adhoc/execute', async (event) => {
    if (event.node === INVITE) event.reply = await invite(event);
    else if (event.node === CREATE_ACCOUNT) event.reply = await createAccount(event);
    else return false;
    return true;
  });
}
