// XEP-0060/XEP-0163 for test clients: the stanzas a PEP client sends and what it reads in answers.
import type { Element } from '../../src/xml/element.js';
import type { XmlClient } from './xml-client.js';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

/** Sends an IQ and waits for its answer. */
export async function iq(client: XmlClient, type: 'get' | 'set', to: string | undefined, payload: string): Promise<Element> {
  const id = nextId('pep');
  client.send(`<iq type='${type}' id='${id}'${to ? ` to='${to}'` : ''}>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

/** A submitted data form with the given FORM_TYPE and single- or multi-valued fields. */
export function form(formType: string, fields: Record<string, string | string[]>): string {
  const rows = Object.entries(fields).map(
    ([name, value]) => `<field var='${name}'>${(Array.isArray(value) ? value : [value]).map((v) => `<value>${v}</value>`).join('')}</field>`,
  );
  return `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${formType}</value></field>${rows.join('')}</x>`;
}

export function publishXml(node: string, id: string, payload: string, options?: Record<string, string | string[]>): string {
  const publishOptions = options ? `<publish-options>${form('http://jabber.org/protocol/pubsub#publish-options', options)}</publish-options>` : '';
  return `<pubsub xmlns='${NS_PUBSUB}'><publish node='${node}'><item id='${id}'>${payload}</item></publish>${publishOptions}</pubsub>`;
}

/** The RFC 6120 condition and the pubsub#errors condition of an error answer. */
export function pubsubErrorOf(stanza: Element): { type: string | undefined; condition: string | undefined; pubsub: string | undefined; text: string | undefined } {
  const error = stanza.getChild('error');
  const children = error?.getChildElements() ?? [];
  return {
    type: error?.attrs.type,
    condition: children.find((c) => c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && c.name !== 'text')?.name,
    pubsub: children.find((c) => c.attrs.xmlns === NS_PUBSUB_ERRORS)?.name,
    text: error?.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas') ?? undefined,
  };
}

/** Item ids of an items answer or an event's <items/>, in document order. */
export function itemIds(stanza: Element): string[] {
  const items = stanza.getChild('pubsub', NS_PUBSUB)?.getChild('items') ?? stanza.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
  return (items?.getChildren('item') ?? []).map((i) => String(i.attrs.id));
}

/** A headline PEP event for `node` from `owner`. */
export const isEventFor = (owner: string, node: string) => (el: Element) =>
  el.name === 'message' && el.attrs.from === owner && el.getChild('event', NS_PUBSUB_EVENT)?.getChild('items')?.attrs.node === node;
