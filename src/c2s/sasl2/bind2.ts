// XEP-0386 Bind 2: resource binding inside the SASL2 <authenticate/>, with features the session
// starts with (stream management here; others, such as carbons, from modules through the
// `c2s/inline-features` and `session/inline-enable` events).
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { JidError, type Jid } from '../../protocol/jid.js';

/** What <bound/> answers (§2.2) and SASL2's inline list advertises. */
export function bindInlineFeature(vars: Iterable<string>): Element {
  return xml('bind', { xmlns: NS.bind2 }, xml('inline', null, [...vars].sort().map((v) => xml('feature', { var: v }))));
}

const MAX_TAG = 64;

/**
 * §2.2.1: the client's tag as a prefix of a server-chosen identifier, `tag/random`. A tag that
 * is not a valid resource part (or absurdly long) is dropped rather than failing the login.
 */
export function bind2Resource(account: Jid, bindRequest: Element, generate: () => string): Jid {
  const tag = bindRequest.getChildText('tag')?.trim() ?? '';
  const random = generate();
  if (tag === '' || tag.length > MAX_TAG) return account.withResource(random);
  try {
    return account.withResource(`${tag}/${random}`);
  } catch (error) {
    if (error instanceof JidError) return account.withResource(random);
    throw error;
  }
}

export const bound = (results: readonly Element[]): Element => xml('bound', { xmlns: NS.bind2 }, ...results);
