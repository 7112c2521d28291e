// Elements to wire text. The output is exactly ltx's `Element#toString()`, written for the send
// path: ltx runs a replace-with-callback regex over every attribute value and text node and
// calls a writer closure per fragment, which made serialising ~15 % of a busy server's time.
// Here a string that needs no escaping (nearly all of them) is checked once and used as it is.
import type { Element } from './element.js';

const ATTR_SPECIAL = /["&'<>]/;
const ATTR_SPECIAL_ALL = /["&'<>]/g;
const TEXT_SPECIAL = /[&<>]/;
const TEXT_SPECIAL_ALL = /[&<>]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const toEntity = (ch: string): string => ENTITY[ch]!;

export function escapeAttribute(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_ALL, toEntity) : value;
}

export function escapeText(value: string): string {
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_ALL, toEntity) : value;
}

/** The element as XML text, identical to ltx's toString(). */
export function serialize(element: Element): string {
  let out = '<' + element.name;
  const attrs = element.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (value !== null && value !== undefined) out += ' ' + key + '="' + escapeAttribute(typeof value === 'string' ? value : String(value)) + '"';
  }
  const children = element.children as unknown[];
  if (children.length === 0) return out + '/>';
  out += '>';
  for (const child of children) {
    if (child === null || child === undefined) continue;
    if (typeof child === 'string') out += escapeText(child);
    else if (typeof (child as Element).write === 'function') out += serialize(child as Element);
    else out += escapeText(String(child));
  }
  return out + '</' + element.name + '>';
}
