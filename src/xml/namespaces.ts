// Namespaces in XML for the stream (RFC 6120 §4.8): the stream tag's own namespace, and every prefix
// used in a stanza bound by a declaration on the stream tag or inside the stanza.
import { StreamError } from '../protocol/stream-error.js';
import type { Element } from './element.js';
import { excerpt } from './excerpt.js';
import { NS } from './ns.js';

/** Prefix → namespace name in scope; enclosing scopes sit on the prototype chain. */
export type PrefixScope = Readonly<Record<string, string>>;

const BASE_SCOPE: PrefixScope = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, { xml: NS.xmlns }));

/** The stream tag must be `stream` in the streams namespace. Returns the prefixes it binds for the stanzas. */
export function checkStreamTag(root: Element): PrefixScope {
  const scope = declare(root, BASE_SCOPE);
  checkAttributes(root, scope);
  const prefix = prefixOf(root.name);
  let ns: unknown = root.attrs['xmlns'];
  if (prefix) {
    ns = scope[prefix];
    if (ns === undefined) throw unbound(prefix);
  }
  const local = prefix ? root.name.slice(prefix.length + 1) : root.name;
  if (local !== 'stream' || ns !== NS.stream) {
    throw new StreamError('invalid-namespace', `the stream element must be {${NS.stream}}stream`);
  }
  return scope;
}

/** Every element and attribute prefix in `element` is bound. */
export function checkPrefixes(element: Element, outer: PrefixScope): void {
  // One pass over the attributes for declarations; the second only when an attribute has a prefix to check
  // (xml: is always bound). The errors come in the same order as with declare() then checkAttributes().
  let scope = outer;
  let prefixed = false;
  const attrs = element.attrs;
  for (const name in attrs) {
    const colon = name.indexOf(':');
    if (colon === -1) continue;
    if (colon === 5 && name.startsWith('xmlns')) scope = bind(scope, outer, name, attrs[name]);
    else if (colon !== 3 || !name.startsWith('xml')) prefixed = true;
  }
  const colon = element.name.indexOf(':');
  if (colon !== -1) {
    const prefix = element.name.slice(0, colon);
    if (scope[prefix] === undefined) throw unbound(prefix);
  }
  if (prefixed) checkAttributes(element, scope);
  for (const child of element.children) {
    if (typeof child === 'object') checkPrefixes(child, scope);
  }
}

// Applies the element's xmlns:p declarations (Namespaces in XML §3, reserved prefixes and names).
function declare(element: Element, outer: PrefixScope): PrefixScope {
  let scope = outer;
  for (const name in element.attrs) {
    if (name.startsWith('xmlns:')) scope = bind(scope, outer, name, element.attrs[name]);
  }
  return scope;
}

// One xmlns:p declaration; the element's own scope is made on its first one.
function bind(scope: PrefixScope, outer: PrefixScope, name: string, declared: unknown): PrefixScope {
  const prefix = name.slice(6);
  const value = String(declared);
  const reserved = prefix === 'xml' || value === NS.xmlns;
  if (prefix === 'xmlns' || value === '' || (reserved && (prefix !== 'xml' || value !== NS.xmlns))) {
    throw new StreamError('not-well-formed', `namespace declaration ${excerpt(name)}="${excerpt(value)}" is not allowed`);
  }
  if (scope === outer) scope = Object.create(outer) as PrefixScope;
  (scope as Record<string, string>)[prefix] = value;
  return scope;
}

function checkAttributes(element: Element, scope: PrefixScope): void {
  for (const name in element.attrs) {
    const prefix = prefixOf(name);
    if (prefix && prefix !== 'xmlns' && scope[prefix] === undefined) throw unbound(prefix);
  }
}

function prefixOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? '' : name.slice(0, colon);
}

function unbound(prefix: string): StreamError {
  return new StreamError('bad-namespace-prefix', `prefix ${excerpt(prefix)} is not bound to a namespace`);
}
