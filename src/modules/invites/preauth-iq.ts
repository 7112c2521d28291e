// XEP-0445 §4: a stream that has not authenticated presents its token before registering.
import { hashInviteToken, isInviteUsable } from '../../auth/invites.js';
import type { PreAuthStream } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml } from '../../xml/element.js';
import { INVITE_NS } from './namespaces.js';

/** Tokens are 144-bit, so guessing is hopeless; this only stops a stream from hammering storage. */
const MAX_TOKENS_PER_STREAM = 5;

export function registerPreauthIq(ctx: ModuleContext, presented: WeakMap<PreAuthStream, string>): void {
  const tries = new WeakMap<PreAuthStream, number>();

  ctx.on('c2s/unauthenticated-stanza', async ({ stream, domain, stanza }) => {
    const preauth = stanza.name === 'iq' && stanza.attrs.type === 'set' ? stanza.getChild('preauth', INVITE_NS.pars) : undefined;
    if (!preauth || !stream.secure) return false;
    const id = stanza.attrs.id as string | undefined;
    const fail = (error: StanzaError): boolean => {
      stream.send(xml('iq', { type: 'error', id, from: domain }, error.toElement()));
      return true;
    };
    const count = (tries.get(stream) ?? 0) + 1;
    tries.set(stream, count);
    if (count > MAX_TOKENS_PER_STREAM) return fail(new StanzaError('policy-violation', 'too many invitation tokens on one connection'));

    const token = preauth.attrs.token;
    if (typeof token !== 'string' || token === '') return fail(new StanzaError('bad-request', "the preauth element needs a 'token'"));
    const tokenHash = hashInviteToken(token);
    const invite = await ctx.storage.invites.byTokenHash(tokenHash);
    // §4: expiry is checked now, and only now; single use is spent only by the registration.
    if (!invite || !isInviteUsable(invite, ctx.clock.now()) || !invite.allowRegistration || invite.domain !== domain) {
      ctx.log.info({ remote: stream.remoteAddress, domain }, 'refused an invitation token: unknown, used, expired or for another domain');
      return fail(new StanzaError('item-not-found', 'The provided token is invalid or expired'));
    }
    presented.set(stream, tokenHash);
    stream.send(xml('iq', { type: 'result', id, from: domain }));
    return true;
  });
}
