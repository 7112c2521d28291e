// Server dialback (XEP-0220) elements. Peers may write them as `db:result` with the prefix bound
// on the stream header, or unprefixed with their own xmlns; both mean the same.
import { xml, type Element } from '../xml/element.js';

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
