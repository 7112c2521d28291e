// XEP-0280 §6: which messages are carbon-copied, with the opt-outs of XEP-0280 §9 (<private/>)
// and XEP-0334 §4.3 (<no-copy/>).
import type { Element } from '../../xml/element.js';
import type { Jid } from '../../protocol/jid.js';
import { messageType } from '../../protocol/message-type.js';

export const NS_CARBONS = 'urn:xmpp:carbons:2';
export const NS_FORWARD = 'urn:xmpp:forward:0';
const NS_HINTS = 'urn:xmpp:hints';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_DIRECT_INVITE = 'jabber:x:conference';
/** §6 "payload elements typically used in IM": receipts (XEP-0184), chat states (XEP-0085), markers (XEP-0333). */
const IM_PAYLOADS = new Set(['urn:xmpp:receipts', 'http://jabber.org/protocol/chatstates', 'urn:xmpp:chat-markers:0']);

/** `sent`: a local client sent it (§8); `received`: it was delivered to a local account (§7). */
export type CarbonDirection = 'sent' | 'received';

/** One pass over the children: this runs for every message, twice. */
export function isEligible(message: Element, direction: CarbonDirection, from: Jid): boolean {
  const type = messageType(message.attrs.type as string | undefined);
  // groupchat: §6 MUC rules. error: eligible only "in response to" an eligible message, which would
  // need per-message tracking on the server; without it, no error is copied.
  if (type === 'groupchat' || type === 'error') return false;

  let mucUser: Element | undefined;
  let directInvite = false;
  let body = false;
  let imPayload = false;
  for (const child of message.children) {
    if (typeof child === 'string') continue;
    const name = child.getName();
    const ns = child.getNS();
    // A carbon (or something posing as one) is never wrapped again: copies of copies would loop.
    if (ns === NS_CARBONS && (name === 'private' || name === 'sent' || name === 'received')) return false;
    if (ns === NS_HINTS && name === 'no-copy') return false;
    if (name === 'x' && ns === NS_MUC_USER) mucUser ??= child;
    else if (name === 'x' && ns === NS_DIRECT_INVITE) directInvite = true;
    else if (name === 'body') body = true;
    if (IM_PAYLOADS.has((child.attrs.xmlns as string | undefined) ?? '')) imPayload = true;
  }

  // §6 MUC rules: mediated (XEP-0045) and direct (XEP-0249) invitations are copied...
  if (directInvite || mucUser?.getChild('invite')) return true;
  // ...but a private message from an occupant is not: the MUC service copies it to every joined client.
  if (direction === 'received' && mucUser && !from.isBare) return false;
  return type === 'chat' || (type === 'normal' && body) || imPayload;
}
