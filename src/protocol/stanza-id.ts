// XEP-0359: the recipient's server gives every message it delivers or stores a <stanza-id/>
// (by = the recipient's bare JID), so clients can de-duplicate and an in-flight message is
// stored at most once. A stanza-id claiming to be by this account but not written by us is
// removed first (XEP-0359 §3.1 security).
import { Element, xml } from '../xml/element.js';
import { NS } from '../xml/ns.js';

export function stanzaIdOf(message: Element, by: string): string | undefined {
  return message.getChildren('stanza-id', NS.stanzaId).find((el) => el.attrs.by === by)?.attrs.id;
}

/**
 * A copy of the message carrying exactly one stanza-id by `by`, with id `id`. Only the top level
 * is copied: routed stanzas are immutable (whoever changes one clones it first), so the children
 * can be shared, and a deep copy of every delivered message cost more than the id itself.
 */
export function withStanzaId(message: Element, by: string, id: string): Element {
  const copy = new Element(message.name, message.attrs);
  copy.children = message.children.filter(
    (child) => typeof child === 'string' || !(child.name === 'stanza-id' && child.attrs.xmlns === NS.stanzaId && child.attrs.by === by),
  );
  copy.append(xml('stanza-id', { xmlns: NS.stanzaId, by, id }));
  return copy;
}
