// The one XML builder. Every element Herald sends is built here, never by string concatenation
// of user data: ltx escapes attribute values and text on serialisation.
import { Element } from '@xmpp/xml';
import { clone } from 'ltx';
import type { XmlAttrs, XmlChild } from '@xmpp/xml';

export { Element };
export type { XmlAttrs, XmlChild };

/** Builds an element; `undefined`/`null` attributes and falsy children are dropped. */
export function xml(name: string, attrs?: XmlAttrs | null, ...children: Array<XmlChild | XmlChild[]>): Element {
  // Built directly rather than through ltx's createElement: this runs for every element Herald
  // sends, and the generic path copies attributes and children arrays twice over.
  const clean: Record<string, string> = {};
  if (attrs) {
    for (const key in attrs) {
      const value = attrs[key];
      if (value !== undefined && value !== null) clean[key] = typeof value === 'string' ? value : String(value);
    }
  }
  const element = new Element(name, clean);
  for (const child of children) append(element, child);
  return element;
}

function append(element: Element, child: XmlChild | XmlChild[]): void {
  if (Array.isArray(child)) {
    for (const each of child) append(element, each);
  } else if (child !== null && child !== undefined && child !== false && child !== '') {
    element.cnode(child as Element | string);
  }
}

/** Deep copy: stanzas are immutable once routed, so anything that changes one clones it first. */
export function cloneElement(el: Element): Element {
  return clone(el) as Element;
}
