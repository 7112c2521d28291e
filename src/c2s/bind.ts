// Resource binding (RFC 6120 §7). A resource already in use is taken over: the old session is
// closed with a <conflict/> stream error (§7.7.2.2, "override"), so a reconnecting phone never
// locks itself out.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { JidError, type Jid } from '../protocol/jid.js';
import { StanzaError } from '../protocol/stanza-error.js';

/** The full JID to bind: the requested resource, or a server-generated one when none is given. */
export function chooseResource(account: Jid, bindRequest: Element, generate: () => string): Jid {
  const requested = bindRequest.getChildText('resource')?.trim() ?? '';
  if (requested === '') return account.withResource(generate());
  try {
    return account.withResource(requested);
  } catch (error) {
    if (error instanceof JidError) throw new StanzaError('bad-request', `resource '${requested}' is not allowed: ${error.message}`);
    throw error;
  }
}

export function bindResult(request: Element, jid: Jid): Element {
  return xml('iq', { type: 'result', id: request.attrs.id }, xml('bind', { xmlns: NS.bind }, xml('jid', null, jid.toString())));
}

/** RFC 3921 session establishment: a no-op kept for old clients; advertised as optional. */
export function isSessionRequest(stanza: Element): boolean {
  return stanza.name === 'iq' && stanza.attrs.type === 'set' && stanza.getChild('session', NS.session) !== undefined;
}

export function isBindRequest(stanza: Element): boolean {
  return stanza.name === 'iq' && stanza.attrs.type === 'set' && stanza.getChild('bind', NS.bind) !== undefined;
}
