// An IQ set a module sends on an account's behalf to the account itself (e.g. a PEP publish), so
// the module serving it acts exactly as for a client. It comes from the bare JID: handlers that
// mirror client writes can tell these apart (clients always have a resource).
import { NS } from '../../xml/ns.js';
import { stanzaErrorIn, StanzaError } from '../../protocol/stanza-error.js';
import type { Jid } from '../../protocol/jid.js';
import { xml, type Element } from '../../xml/element.js';
import type { ModuleContext } from './module.js';

/** Resolves when answered with a result; an error answer is thrown, its text prefixed with `what`. */
export async function setAsAccount(ctx: ModuleContext, account: Jid, payload: Element, what: string): Promise<void> {
  const owner = account.toString();
  const answer = await ctx.requestIq(xml('iq', { type: 'set', id: ctx.ids.next(), from: owner, to: owner }, payload));
  if (answer.attrs.type !== 'error') return;
  const error = stanzaErrorIn(answer);
  throw new StanzaError(error.condition, `${what}: ${error.text ?? error.condition}`);
}

/** A pubsub publish of one item, with publish-options when given (XEP-0060 §7.1.5). */
export function publishRequest(node: string, item: Element, options?: Record<string, string>): Element {
  const form = options
    ? xml(
        'publish-options',
        null,
        xml(
          'x',
          { xmlns: NS.dataForms, type: 'submit' },
          xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', null, 'http://jabber.org/protocol/pubsub#publish-options')),
          Object.entries(options).map(([name, value]) => xml('field', { var: name }, xml('value', null, value))),
        ),
      )
    : null;
  return xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('publish', { node }, item), form);
}
