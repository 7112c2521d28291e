// XEP-0357 §5/§6: reading a client's <enable/> and <disable/>. Everything wrong gets a
// bad-request that says what to fix.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { serialize } from '../../xml/serialize.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { tryParseJid } from '../../protocol/jid.js';
import type { PushRegistration } from '../../storage/types.js';

export const NS_PUSH = 'urn:xmpp:push:0';
const PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';

/** Longest node or publish-options form we keep: an app server's token, not a document. */
const MAX_NODE = 1024;
const MAX_OPTIONS_BYTES = 4096;

function serviceOf(element: Element): string {
  const service = tryParseJid(element.attrs.jid);
  if (!service) throw new StanzaError('bad-request', `<${element.name}/> needs a 'jid' attribute with the app server's JID`);
  return service.toString();
}

/** §5: jid and node are required; a publish-options form, if any, has its FORM_TYPE. */
export function enableRequest(enable: Element): PushRegistration {
  const service = serviceOf(enable);
  const node = enable.attrs.node;
  if (!node) throw new StanzaError('bad-request', "<enable/> needs a 'node' attribute (the app server's node for this device)");
  if (node.length > MAX_NODE) throw new StanzaError('not-acceptable', `the node is longer than ${MAX_NODE} characters`);
  const form = enable.getChild('x', NS.dataForms);
  if (!form) return { service, node, publishOptions: undefined };
  const formType = form.getChildren('field').find((field) => field.attrs.var === 'FORM_TYPE')?.getChildText('value');
  if (formType !== PUBLISH_OPTIONS) throw new StanzaError('bad-request', `the data form in <enable/> must have FORM_TYPE ${PUBLISH_OPTIONS}`);
  const publishOptions = serialize(form);
  if (Buffer.byteLength(publishOptions, 'utf8') > MAX_OPTIONS_BYTES) throw new StanzaError('not-acceptable', `the publish-options form is larger than ${MAX_OPTIONS_BYTES} bytes`);
  return { service, node, publishOptions };
}

/** §6: by service, or by service and node. */
export function disableRequest(disable: Element): { service: string; node: string | undefined } {
  return { service: serviceOf(disable), node: disable.attrs.node || undefined };
}
