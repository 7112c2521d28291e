// XEP-0313 helpers for raw-XML protocol tests: run an archive query and collect its results.
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';
import { nothingBefore } from './im.js';

export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_SID = 'urn:xmpp:sid:0';
let counter = 0;

export interface ArchiveQueryOptions {
  /** Form fields; an array gives a multi-valued field ('ids'). */
  form?: Record<string, string | string[]>;
  /** Raw RSM children, e.g. "<max>10</max><before/>". */
  rsm?: string;
  flipPage?: boolean;
  /** Query another archive than the client's own. */
  to?: string;
}

export interface ArchiveAnswer {
  iq: Element;
  /** The <result/> elements, in the order they arrived. */
  results: Element[];
  ids: string[];
  /** Body text of each forwarded message, in arrival order. */
  bodies: string[];
  fin: Element | undefined;
  first: string | undefined;
  last: string | undefined;
  complete: boolean;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');

function formXml(form: Record<string, string | string[]>): string {
  const fields = Object.entries(form).map(([name, value]) => {
    const values = (Array.isArray(value) ? value : [value]).map((v) => `<value>${escape(v)}</value>`).join('');
    return `<field var='${name}'>${values}</field>`;
  });
  return `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${NS_MAM}</value></field>${fields.join('')}</x>`;
}

export function forwardedOf(result: Element): Element | undefined {
  return result.getChild('forwarded', 'urn:xmpp:forward:0')?.getChild('message');
}

/** Sends a query and collects the result messages up to the IQ answer (results or error). */
export async function queryArchive(client: XmlClient, options: ArchiveQueryOptions = {}): Promise<ArchiveAnswer> {
  const id = `mam-${++counter}`;
  const queryId = `q-${counter}`;
  const to = options.to ? ` to='${options.to}'` : '';
  const form = options.form ? formXml(options.form) : '';
  const rsm = options.rsm !== undefined ? `<set xmlns='${NS_RSM}'>${options.rsm}</set>` : '';
  client.send(`<iq type='set' id='${id}'${to}><query xmlns='${NS_MAM}' queryid='${queryId}'>${form}${rsm}${options.flipPage ? '<flip-page/>' : ''}</query></iq>`);
  const results: Element[] = [];
  for (;;) {
    const el = await client.next(
      (e) => (e.name === 'iq' && e.attrs.id === id) || (e.name === 'message' && e.getChild('result', NS_MAM)?.attrs.queryid === queryId),
    );
    if (el.name === 'iq') {
      const fin = el.getChild('fin', NS_MAM);
      const set = fin?.getChild('set', NS_RSM);
      return {
        iq: el,
        results,
        ids: results.map((r) => r.attrs.id as string),
        bodies: results.map((r) => forwardedOf(r)?.getChildText('body') ?? ''),
        fin,
        first: set?.getChildText('first') ?? undefined,
        last: set?.getChildText('last') ?? undefined,
        complete: fin?.attrs.complete === 'true',
      };
    }
    results.push(el.getChild('result', NS_MAM)!);
  }
}

/** The error condition of an IQ answer, or undefined for a result. */
export function errorCondition(iq: Element): string | undefined {
  const error = iq.getChild('error');
  return error?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name;
}

/** A round trip to the server: everything the client sent before it has been fully handled. */
export async function settled(client: XmlClient): Promise<void> {
  await nothingBefore(client, () => false);
}
