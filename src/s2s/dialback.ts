// Server dialback (XEP-0220) elements. Peers may write them as `db:result` with the prefix bound
// on the stream header, or unprefixed with their own xmlns; both mean the same.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

export const NS_DIALBACK = 'jabber:server:dialback';
/** Stream feature announcing dialback support (XEP-0220 §2.1, urn:xmpp:features:dialback). */
export const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';

/** 'result' or 'verify' for a dialback element, else undefined. */
export function dialbackKind(element: Element, header: Record<string, string> | undefined): 'result' | 'verify' | undefined {
  let local: string;
  if (element.name.startsWith('db:')) {
    const ns = element.attrs['xmlns:db'] ?? header?.['xmlns:db'];
    if (ns !== NS_DIALBACK) return undefined;
    local = element.name.slice(3);
  } else {
    if (element.attrs.xmlns !== NS_DIALBACK) return undefined;
    local = element.name;
  }
  return local === 'result' || local === 'verify' ? local : undefined;
}

export function dialbackElement(
  kind: 'result' | 'verify',
  attrs: { from: string; to: string; id?: string; type?: 'valid' | 'invalid' | 'error' },
  key?: string,
): Element {
  return xml(`db:${kind}`, attrs, key);
}

/** Conditions a receiving server answers a <db:result/> with (XEP-0220 §2.4). */
export type DialbackErrorCondition = 'remote-server-not-found' | 'resource-constraint';

/**
 * The receiving server's answer to a <db:result/> (XEP-0220 §2.1.1 step 4). `why` becomes the
 * error's text: for `invalid` under not-authorized, for `error` under `condition`.
 */
export function dialbackResultReply(from: string, to: string, type: 'valid' | 'invalid' | 'error', why?: string, condition: DialbackErrorCondition = 'remote-server-not-found'): Element {
  const reply = dialbackElement('result', { from, to, type });
  if (why === undefined) return reply;
  const errorCondition = type === 'error' ? condition : 'not-authorized';
  // resource-constraint is temporary (RFC 6120 §8.3.3.18): the peer may ask again later.
  const errorType = errorCondition === 'resource-constraint' ? 'wait' : 'cancel';
  reply.append(xml('error', { type: errorType }, xml(errorCondition, { xmlns: NS.stanzas }), xml('text', { xmlns: NS.stanzas }, why)));
  return reply;
}
