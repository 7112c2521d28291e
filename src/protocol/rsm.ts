// XEP-0059 Result Set Management over a result set held in memory (small, bounded sets such as
// a PEP node's items): reading the request's <set/>, cutting the page, and the <set/> answer.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { StanzaError } from './stanza-error.js';

export interface RsmRequest {
  /** §2.1: page size; undefined when the requester set none. */
  max?: number;
  /** §2.2: the page after this UID. */
  after?: string;
  /** §2.3/§2.5: the page before this UID; '' asks for the last page. */
  before?: string;
  /** §2.4: the page starting at this position. */
  index?: number;
}

function count(element: Element | undefined, name: string, maximum: number): number | undefined {
  if (!element) return undefined;
  const text = element.getText().trim();
  if (!/^[0-9]{1,9}$/.test(text)) throw new StanzaError('bad-request', `RSM <${name}/> must be a non-negative integer, found '${text}'`);
  return Math.min(Number(text), maximum);
}

/** The request's `<set xmlns='http://jabber.org/protocol/rsm'/>`, if any; `maxPage` caps <max/>. */
export function readRsm(parent: Element, maxPage: number): RsmRequest | undefined {
  const set = parent.getChild('set', NS.rsm);
  if (!set) return undefined;
  const request: RsmRequest = {};
  const max = count(set.getChild('max'), 'max', maxPage);
  if (max !== undefined) request.max = max;
  const index = count(set.getChild('index'), 'index', Number.MAX_SAFE_INTEGER);
  if (index !== undefined) request.index = index;
  const after = set.getChild('after');
  if (after) request.after = after.getText();
  const before = set.getChild('before');
  if (before) request.before = before.getText();
  if (request.after !== undefined && request.before !== undefined) throw new StanzaError('bad-request', 'RSM <after/> and <before/> cannot be used together');
  return request;
}

export interface RsmPage<T> {
  items: T[];
  /** The <set/> to put into the answer (§2.1: first with its index, last, count). */
  set: Element;
}

/**
 * Cuts one page out of `all` (in result-set order); `uid` names each entry as <after/>/<before/>
 * do. A UID that is not in the set gets item-not-found (§2.6).
 */
export function rsmPage<T>(all: readonly T[], request: RsmRequest, uid: (entry: T) => string, defaultMax: number): RsmPage<T> {
  const position = (id: string): number => {
    const at = all.findIndex((entry) => uid(entry) === id);
    if (at < 0) throw new StanzaError('item-not-found', `RSM: no item '${id}' in this result set`);
    return at;
  };
  const max = request.max ?? defaultMax;
  let start: number;
  if (request.before !== undefined) {
    const end = request.before === '' ? all.length : position(request.before);
    start = Math.max(0, end - max);
    return page(all, start, Math.min(end, start + max), uid);
  }
  if (request.after !== undefined) start = position(request.after) + 1;
  else start = Math.min(request.index ?? 0, all.length);
  return page(all, start, Math.min(all.length, start + max), uid);
}

function page<T>(all: readonly T[], start: number, end: number, uid: (entry: T) => string): RsmPage<T> {
  const items = all.slice(start, end);
  const first = items[0];
  const last = items.at(-1);
  const set = xml(
    'set',
    { xmlns: NS.rsm },
    first === undefined ? null : xml('first', { index: String(start) }, uid(first)),
    last === undefined ? null : xml('last', null, uid(last)),
    xml('count', null, String(all.length)),
  );
  return { items, set };
}
