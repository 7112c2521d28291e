// XEP-0401 §6 landing page: https://<domain>/invite/<token> shows who invites, a button with the
// xmpp: link for clients that handle it, clients to install, and (when the invitation may make
// an account) a form that registers on the web. The form goes through `register/admission`
// exactly as XEP-0445 in-band registration does, so reservation, one-time use and the
// introduction to the inviter are the same code.
import type { PreAuthStream, RegistrationAdmissionEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { HttpRequest } from '../../http/http-routes.js';
import { plainAnswer } from '../../http/http-listener.js';
import { FormBodyError, readFormBody, sendHtml } from '../../http/html.js';
import { hashInviteToken, INVITE_PAGE_PATH, inviteUri, isInviteUsable } from '../../auth/invites.js';
import { passwordProblem } from '../../auth/password-policy.js';
import { createJid, JidError, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { Invite } from '../../storage/types.js';
import { goneMessage, invitationPage, registeredPage } from './landing-html.js';

/** A form of two names and two passwords; anything larger is not from our page. */
const MAX_FORM_BYTES = 4096;

export function serveLandingPage(ctx: ModuleContext, presented: WeakMap<PreAuthStream, string>): void {
  async function register(invite: Invite, tokenHash: string, username: string, password: string, address: string): Promise<Jid> {
    const weak = passwordProblem(password, ctx.config.auth.minPasswordLength);
    if (weak !== undefined) throw new StanzaError('not-acceptable', weak);
    let jid: Jid;
    try {
      jid = createJid(username, invite.domain);
    } catch (error) {
      if (error instanceof JidError) throw new StanzaError('not-acceptable', `'${username}' cannot be used as an account name`);
      throw error;
    }
    // The web form stands for a stream that presented the token (XEP-0445 §4).
    const stream: PreAuthStream = { id: ctx.ids.next(), remoteAddress: address, secure: true, send: () => undefined };
    presented.set(stream, tokenHash);
    const admission: RegistrationAdmissionEvent = { stream, domain: invite.domain, username: jid.local, settle: [] };
    await ctx.fire('register/admission', admission);
    const settle = async (account: Jid | undefined) => {
      for (const step of admission.settle) await step(account);
    };
    if (admission.refusal) throw admission.refusal;
    if (!admission.admitted) throw new StanzaError('not-authorized', 'this invitation cannot be used to register');
    if ((await ctx.accounts.create(jid, password)) === 'exists') {
      await settle(undefined);
      throw new StanzaError('conflict', `${jid.toBareString()} is taken; choose another name`);
    }
    ctx.log.info({ account: jid.toString(), remote: address }, 'account registered on the invitation page');
    await settle(jid);
    return jid;
  }

  ctx.serveHttp({
    path: INVITE_PAGE_PATH,
    prefix: true,
    methods: ['GET', 'POST'],
    async handle({ req, res, url, origin }: HttpRequest) {
      // The token is a secret: never over plain HTTP (a proxy vouching for HTTPS is fine).
      if (!origin.secure) return plainAnswer(res, 404, 'invitation pages are served over HTTPS only\n');
      let token: string;
      try {
        token = decodeURIComponent(url.pathname.slice(INVITE_PAGE_PATH.length));
      } catch {
        return sendHtml(res, 404, goneMessage('This invitation link is damaged; ask for a new one.'));
      }
      const tokenHash = hashInviteToken(token);
      const invite = await ctx.storage.invites.byTokenHash(tokenHash);
      if (!invite || !isInviteUsable(invite, ctx.clock.now())) {
        return sendHtml(res, invite ? 410 : 404, goneMessage(invite ? 'This invitation was already used or has expired; ask for a new one.' : 'There is no such invitation (it may have been revoked); ask for a new one.'));
      }
      const page = { invite, uri: inviteUri(invite, token), minPasswordLength: ctx.config.auth.minPasswordLength };
      if (req.method !== 'POST') return sendHtml(res, 200, invitationPage(page));
      if (!invite.allowRegistration) return sendHtml(res, 403, invitationPage({ ...page, error: 'This invitation makes you a contact only; it does not create accounts.' }));
      let form: URLSearchParams;
      try {
        form = await readFormBody(req, MAX_FORM_BYTES);
      } catch (error) {
        if (error instanceof FormBodyError) return sendHtml(res, 400, invitationPage({ ...page, error: error.message }));
        throw error;
      }
      const username = invite.username ?? form.get('username')?.trim() ?? '';
      const password = form.get('password') ?? '';
      const answer = (status: number, error: string) => sendHtml(res, status, invitationPage({ ...page, error, username }));
      if (username === '' || password === '') return answer(400, 'Choose an account name and a password.');
      if (password !== form.get('password2')) return answer(400, 'The two passwords differ.');
      try {
        const account = await register(invite, tokenHash, username, password, origin.address);
        return sendHtml(res, 201, registeredPage(account.toBareString(), invite));
      } catch (error) {
        if (error instanceof StanzaError) return answer(error.condition === 'conflict' ? 409 : 400, error.text ?? error.condition);
        throw error;
      }
    },
  });
}
