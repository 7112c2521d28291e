// XEP-0280 §7/§8: a carbon is the original message wrapped per XEP-0297, sent from the account's
// bare JID to each of its carbons-enabled resources that should see it.
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { Jid } from '../../protocol/jid.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { NS_CARBONS, NS_FORWARD, type CarbonDirection } from './eligibility.js';

/** The SessionRef flag a session carries while it has carbons enabled (read on any node). */
export const CARBONS_FLAG = 'carbons';

export function carbonsEnabled(ref: SessionRef): boolean {
  return ref.flags[CARBONS_FLAG] === '1';
}

export function wrapCarbon(direction: CarbonDirection, original: Element, account: Jid, to: string): Element {
  const inner = cloneElement(original);
  // XEP-0297 §3.2: the forwarded stanza keeps its namespace; without an explicit xmlns it would
  // inherit urn:xmpp:forward:0.
  inner.attrs.xmlns = NS.client;
  // §7/§8: same type as the original, from the bare JID, to the full JID of the receiving resource.
  return xml(
    'message',
    { from: account.toBareString(), to, type: original.attrs.type as string | undefined },
    xml(direction, { xmlns: NS_CARBONS }, xml('forwarded', { xmlns: NS_FORWARD }, inner)),
  );
}

/** Sends `ref`, a carbons-enabled resource of `account`, its carbon of `original`. */
export function sendCarbon(ctx: ModuleContext, direction: CarbonDirection, original: Element, account: Jid, ref: SessionRef): Promise<boolean> {
  return ctx.delivery.toSession(ref, wrapCarbon(direction, original, account, ref.jid));
}
