// The one XML builder. Every element Herald sends is built here, never by string concatenation
// of user data: ltx escapes attribute values and text on serialisation.
import { xml as build, Element } from '@xmpp/xml';
import { clone } from 'ltx';
import type { XmlAttrs, XmlChild } from '@xmpp/xml';

export { Element };
export type { XmlAttrs, XmlChild };

/** Builds an element; `undefined`/`null` attributes and falsy children are dropped. */
export function xml(name: string, attrs?: XmlAttrs | null, ...children: Array<XmlChild | XmlChild[]>): Element {
  const clean: Record<string, string> = {};
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value !== undefined && value !== null) clean[key] = String(value);
    }
  }
  const flat = children.flat().filter((c): c is Element | string => c !== null && c !== undefined && c !== false);
  return build(name, clean, ...flat);
}

/** Deep copy: stanzas are immutable once routed, so anything that changes one clones it first. */
export function cloneElement(el: Element): Element {
  return clone(el) as Element;
}
