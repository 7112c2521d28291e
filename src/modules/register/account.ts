// XEP-0077 §3.2 and §3.3 for a logged-in user: see the registration, change the password, or
// cancel the account. Claimed from the IQ events just ahead of the core's dispatcher because
// the dispatcher's error replies echo the request (the password), and cancelling must answer
// before it closes the sessions.
import { xml, type Element } from '../../xml/element.js';
import { passwordProblem } from '../../auth/password-policy.js';
import { NS } from '../../xml/ns.js';
import { createJid, JidError, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { readFields, registeredForm, stanzaErrorOf, type Fields } from './query.js';

/** Just above the IQ dispatcher (-1000), below modules that screen IQs first. */
export const ACCOUNT_IQ_PRIORITY = -900;

export function createAccountHandler(ctx: ModuleContext, enabled: (domain: string) => boolean): (event: StanzaEvent) => Promise<boolean> {
  async function changePassword(account: Jid, fields: Fields): Promise<void> {
    // XEP-0077 §3.3: incomplete requests are bad-request, and an empty password MUST NOT
    // replace the current one.
    if (!fields.username || !fields.password) throw new StanzaError('bad-request', 'a username and a non-empty password are required');
    let named: Jid;
    try {
      named = createJid(fields.username, account.domain);
    } catch (error) {
      if (!(error instanceof JidError)) throw error;
      throw new StanzaError('not-authorized', 'you can only change the password of your own account');
    }
    if (named.local !== account.local) throw new StanzaError('not-authorized', 'you can only change the password of your own account');
    const weak = passwordProblem(fields.password, ctx.config.auth.minPasswordLength);
    if (weak !== undefined) throw new StanzaError('not-acceptable', weak);
    if (!(await ctx.accounts.setPassword(account, fields.password))) throw new StanzaError('registration-required');
    ctx.log.info({ account: account.toString() }, 'password changed in-band');
  }

  async function remove(account: Jid, fields: Fields): Promise<void> {
    if (fields.count !== 1) throw new StanzaError('bad-request', '<remove/> must be the only child of the query');
    if (!(await ctx.accounts.delete(account))) throw new StanzaError('registration-required');
    ctx.log.info({ account: account.toString() }, 'account removed in-band');
  }

  /** Every session of the account ends: XEP-0077 §3.2 says with a not-authorized stream error. */
  async function closeSessions(account: Jid): Promise<void> {
    for (const ref of await ctx.sessions.byBareJid(account.toBareString())) {
      await ctx.delivery.closeSession(ref, 'not-authorized', 'the account was removed');
    }
  }

  return async (event) => {
    const { stanza, from, to, origin } = event;
    const type = stanza.attrs.type as string | undefined;
    const query = stanza.getChildElements()[0];
    if (type !== 'get' && type !== 'set') return false;
    if (!query || query.name !== 'query' || query.attrs.xmlns !== NS.register) return false;
    // Only the account itself, from one of its own sessions, addressing its server or itself.
    // Anything else falls through to the dispatcher, which answers service-unavailable.
    const account = from.bare;
    const ownRequest = origin !== undefined && to.domain === account.domain && (to.isDomain || to.equals(account));
    if (!ownRequest || !enabled(account.domain)) return false;

    const reply = (kind: 'result' | 'error', payload?: Element) =>
      ctx.router.route(xml('iq', { type: kind, id: stanza.attrs.id, from: stanza.attrs.to ?? to.toString(), to: stanza.attrs.from }, payload));
    if (type === 'get') {
      await reply('result', registeredForm(account.local));
      return true;
    }
    const fields = readFields(query);
    let removed = false;
    try {
      if (fields.remove) await remove(account, fields);
      else await changePassword(account, fields);
      removed = fields.remove;
    } catch (error) {
      const stanzaError = stanzaErrorOf(error);
      if (!stanzaError) ctx.log.error({ err: error }, 'in-band account management failed');
      // Only the error condition: XEP-0077 §3.3 says not to send the request (the password) back.
      await reply('error', (stanzaError ?? new StanzaError('internal-server-error')).toElement());
      return true;
    }
    // XEP-0077 §3.2: the result goes out first, then every session ends with the stream error.
    await reply('result');
    if (removed) await closeSessions(account);
    return true;
  };
}
