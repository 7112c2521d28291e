// XEP-0077 §3.1.1: registration on a stream that is secured but not yet authenticated. Such a
// stream has no JIDs, so replies carry only type and id and go straight back on the stream.
import { xml, type Element } from '../../xml/element.js';
import { passwordProblem } from '../../auth/password-policy.js';
import { NS } from '../../xml/ns.js';
import { createJid, JidError, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { iqShapeError } from '../../core/iq-dispatcher.js';
import type { PreAuthStream, RegistrationAdmissionEvent, UnauthenticatedStanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { RateLimiter } from './rate-limit.js';
import { readFields, registrationForm, stanzaErrorOf } from './query.js';

export interface PreAuthDeps {
  ctx: ModuleContext;
  enabled(domain: string): boolean;
  limiter: RateLimiter;
}

/** Handles registration IQs; resolves true only for stanzas it answered. */
export function createPreAuthHandler(deps: PreAuthDeps): (event: UnauthenticatedStanzaEvent) => Promise<boolean> {
  const { ctx, enabled, limiter } = deps;

  async function register(domain: string, stream: PreAuthStream, query: Element, admission: RegistrationAdmissionEvent): Promise<Jid> {
    const remoteAddress = stream.remoteAddress;
    const fields = readFields(query);
    // XEP-0077 §3.2 table: a <remove/> without a 'from' (nobody is logged in) is unexpected.
    if (fields.remove) throw new StanzaError('unexpected-request', 'log in before cancelling a registration');
    // XEP-0077 §3.1: missing or empty fields MUST get not-acceptable (not bad-request).
    if (!fields.username || !fields.password) throw new StanzaError('not-acceptable', 'a username and a non-empty password are required');
    const weak = passwordProblem(fields.password, ctx.config.auth.minPasswordLength);
    if (weak !== undefined) throw new StanzaError('not-acceptable', weak);
    let jid: Jid;
    try {
      jid = createJid(fields.username, domain);
    } catch (error) {
      if (error instanceof JidError) throw new StanzaError('not-acceptable', `'${fields.username}' cannot be used as a username`);
      throw error;
    }
    // Counted before the store is touched, so probing for taken names costs attempts too.
    // XEP-0077 prescribes nothing for a per-address limit; resource-constraint (type wait) tells
    // the client to retry later, where not-acceptable would read as a problem with the fields.
    if (!limiter.take(remoteAddress)) throw new StanzaError('resource-constraint', 'too many registrations from this address; try again later');
    // Asked again with the name: an invitation may reserve it, or be redeemed for it now.
    const named = await admit(domain, stream, jid.local);
    admission.settle.push(...named.settle);
    if (named.refusal) throw named.refusal;
    if (!enabled(domain) && !named.admitted) throw new StanzaError('service-unavailable', 'in-band registration is disabled on this server');
    if ((await ctx.accounts.create(jid, fields.password)) === 'exists') throw new StanzaError('conflict', 'this username is taken');
    ctx.log.info({ account: jid.toString(), remote: remoteAddress }, 'account registered in-band');
    return jid;
  }

  async function admit(domain: string, stream: PreAuthStream, username?: string): Promise<RegistrationAdmissionEvent> {
    const event: RegistrationAdmissionEvent = { stream, domain, settle: [], ...(username === undefined ? {} : { username }) };
    await ctx.fire('register/admission', event);
    return event;
  }

  async function settle(admission: RegistrationAdmissionEvent, account: Jid | undefined): Promise<void> {
    for (const step of admission.settle) {
      try {
        await step(account);
      } catch (error) {
        ctx.log.error({ err: error, account: account?.toString() }, 'finishing a registration failed');
      }
    }
  }

  return async ({ stream, domain, stanza }) => {
    const query = stanza.name === 'iq' ? stanza.getChild('query', NS.register) : undefined;
    const type = stanza.attrs.type as string | undefined;
    // Anything else is not ours: the core closes the stream with not-authorized. XEP-0077 §10:
    // never over a stream without TLS (the core only asks once it is secured; this restates it).
    if (!query || (type !== 'get' && type !== 'set') || !stream.secure) return false;
    const id = stanza.attrs.id as string | undefined;
    // Errors leave the request out: it carries the password (cf. XEP-0077 §3.3).
    const fail = (error: StanzaError) => stream.send(xml('iq', { type: 'error', id }, error.toElement()));

    const shape = iqShapeError(stanza);
    if (shape) {
      fail(shape);
      return true;
    }
    // XEP-0077 §3.1: a host without in-band registration MUST answer service-unavailable,
    // unless a module admits this stream (XEP-0445 invitation). The stream stays open so the
    // client can still log in with an account made some other way.
    const admission = await admit(domain, stream);
    if (!enabled(domain) && !admission.admitted) {
      fail(new StanzaError('service-unavailable', 'in-band registration is disabled on this server'));
      return true;
    }
    if (type === 'get') {
      stream.send(xml('iq', { type: 'result', id }, registrationForm()));
      return true;
    }
    let created: Jid;
    try {
      created = await register(domain, stream, query, admission);
    } catch (error) {
      await settle(admission, undefined);
      const stanzaError = stanzaErrorOf(error);
      if (!stanzaError) ctx.log.error({ err: error }, 'in-band registration failed');
      fail(stanzaError ?? new StanzaError('internal-server-error'));
      return true;
    }
    await settle(admission, created);
    stream.send(xml('iq', { type: 'result', id }));
    return true;
  };
}
