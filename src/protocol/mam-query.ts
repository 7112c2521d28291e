// XEP-0313 §4 queries, shared by account archives (modules/mam) and room archives (modules/muc):
// reading the data form (with, start, end, before-id, after-id, ids), XEP-0059 RSM (max, after,
// before; an empty <before/> asks for the last page) and <flip-page/>, and writing each result
// and the closing <fin/>. Anything it cannot honour is an error naming what to change.
import { tryParseJid } from './jid.js';
import { StanzaError } from './stanza-error.js';
import type { ArchivedMessage, ArchivePage, ArchiveQuery } from '../storage/types.js';
import { xml, type Element } from '../xml/element.js';
import { buildElement } from '../xml/element-builder.js';
import { NS } from '../xml/ns.js';

export const NS_MAM = 'urn:xmpp:mam:2';
const NS_RSM = NS.rsm;
const NS_FORWARD = 'urn:xmpp:forward:0';

export interface ParsedQuery {
  query: ArchiveQuery;
  queryId: string | undefined;
  flipPage: boolean;
}

export interface PageSizes {
  defaultPageSize: number;
  maxPageSize: number;
}

/** XEP-0082 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function timestamp(field: string, value: string): number {
  const parsed = DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new StanzaError('bad-request', `'${field}' must be a XEP-0082 date-time such as 2026-01-31T12:00:00Z, not '${value}'`);
  }
  return parsed;
}

function single(field: string, values: string[]): string {
  const [value] = values;
  if (values.length !== 1 || value === undefined || value === '') throw new StanzaError('bad-request', `'${field}' needs exactly one value`);
  return value;
}

function readForm(form: Element, query: ArchiveQuery & { after: string[]; before: string[] }, sizes: PageSizes): void {
  for (const field of form.getChildren('field')) {
    const name = field.attrs.var as string | undefined;
    const values = field.getChildren('value').map((v) => v.getText().trim());
    switch (name) {
      case 'FORM_TYPE':
        if (values[0] !== NS_MAM) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_MAM}`);
        break;
      case 'with': {
        const jid = tryParseJid(single(name, values));
        if (!jid) throw new StanzaError('jid-malformed', `'with' must be a JID, not '${values[0]}'`);
        query.with = jid.toString();
        break;
      }
      case 'start':
        query.start = timestamp(name, single(name, values));
        break;
      case 'end':
        query.end = timestamp(name, single(name, values));
        break;
      case 'after-id':
        query.after.push(single(name, values));
        break;
      case 'before-id':
        query.before.push(single(name, values));
        break;
      case 'ids':
        if (values.length > sizes.maxPageSize) throw new StanzaError('policy-violation', `'ids' may name at most ${sizes.maxPageSize} messages per query`);
        query.ids = values.filter((value) => value !== '');
        break;
      default:
        // §4.1.5: a field the server does not know is feature-not-implemented.
        throw new StanzaError('feature-not-implemented', `the archive does not support the field '${name ?? ''}'`);
    }
  }
}

function readRsm(set: Element, query: ArchiveQuery & { after: string[]; before: string[] }, sizes: PageSizes): void {
  const max = set.getChildText('max');
  if (max !== null) {
    if (!/^\d+$/.test(max.trim())) throw new StanzaError('bad-request', `RSM <max/> must be a non-negative integer, not '${max}'`);
    query.max = Math.min(Number(max.trim()), sizes.maxPageSize);
  }
  if (set.getChild('index')) throw new StanzaError('feature-not-implemented', 'the archive pages by <after/> and <before/>, not by <index/>');
  const after = set.getChildText('after');
  if (after !== null) {
    if (after.trim() === '') throw new StanzaError('bad-request', 'RSM <after/> needs the id of a message');
    query.after.push(after.trim());
  }
  const before = set.getChild('before');
  if (before) {
    query.fromEnd = true;
    if (before.getText().trim() !== '') query.before.push(before.getText().trim());
  }
}

export function parseQuery(payload: Element, sizes: PageSizes): ParsedQuery {
  const query = { max: sizes.defaultPageSize, fromEnd: false, after: [] as string[], before: [] as string[] } satisfies ArchiveQuery;
  if (payload.attrs.node !== undefined) throw new StanzaError('feature-not-implemented', 'user archives have no pubsub nodes (XEP-0442)');
  const form = payload.getChild('x');
  if (form) {
    if (form.attrs.type !== 'submit') throw new StanzaError('bad-request', "the query form must be of type 'submit'");
    readForm(form, query, sizes);
  }
  const set = payload.getChild('set', NS_RSM);
  if (set) readRsm(set, query, sizes);
  return {
    query,
    queryId: payload.attrs.queryid as string | undefined,
    flipPage: payload.getChild('flip-page') !== undefined,
  };
}

/** §4.2: one match, forwarded (XEP-0297) under a <delay/> of when it was archived. */
export function mamResult(from: string, to: string, id: string, queryId: string | undefined, archived: ArchivedMessage): Element {
  const original = buildElement(archived.stanza);
  // XEP-0297 §3.2: the forwarded stanza keeps its own namespace.
  original.attrs.xmlns = NS.client;
  return xml(
    'message',
    { from, to, id },
    xml(
      'result',
      { xmlns: NS_MAM, queryid: queryId, id: archived.id },
      xml('forwarded', { xmlns: NS_FORWARD }, xml('delay', { xmlns: NS.delay, stamp: new Date(archived.timestamp).toISOString() }), original),
    ),
  );
}

/** §4.3: the IQ result's <fin/> with the RSM first and last ids of the page. */
export function mamFin(page: ArchivePage): Element {
  const first = page.messages[0];
  const last = page.messages[page.messages.length - 1];
  return xml(
    'fin',
    { xmlns: NS_MAM, complete: page.complete ? 'true' : undefined },
    xml('set', { xmlns: NS_RSM }, first && xml('first', null, first.id), last && xml('last', null, last.id)),
  );
}
