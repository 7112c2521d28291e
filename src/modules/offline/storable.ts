// Which messages are worth keeping for an offline account. XEP-0160 §3 decides by type; within
// chat/normal only messages a user would miss are kept: content, encrypted content, and the
// delivery/read state of earlier messages (receipts, chat markers). Chat states alone are
// transient (XEP-0085 §5.8: standalone notifications SHOULD NOT be stored offline).
// The sender's XEP-0334 hints override this either way.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { messageType } from '../../protocol/message-type.js';

/** [namespace, element name] pairs whose presence makes a message worth storing. */
const WORTH_STORING: ReadonlyArray<readonly [string, string]> = [
  // XEP-0380 Explicit Message Encryption: says the payload is encrypted, wherever it is.
  ['urn:xmpp:eme:0', 'encryption'],
  // OMEMO (legacy namespace and XEP-0384 0.3+), XEP-0373 OpenPGP, XEP-0027 legacy OpenPGP.
  ['eu.siacs.conversations.axolotl', 'encrypted'],
  ['urn:xmpp:omemo:2', 'encrypted'],
  ['urn:xmpp:openpgp:0', 'openpgp'],
  ['jabber:x:encrypted', 'x'],
  // XEP-0184 delivery receipt: the sender's client waits for it.
  [NS.receipts, 'received'],
  // XEP-0333 §7: "Chat Markers SHOULD be archived" so they can be fetched later.
  [NS.chatMarkers, 'received'],
  [NS.chatMarkers, 'displayed'],
  [NS.chatMarkers, 'acknowledged'],
  // XEP-0249 direct MUC invitation: content, though it has no body.
  ['jabber:x:conference', 'x'],
];

export type StoreDecision = { store: true } | { store: false; reason: string };

export function storeDecision(message: Element): StoreDecision {
  // XEP-0160 §3: groupchat, headline and error SHOULD NOT be stored (and are never offered).
  const type = messageType(message.attrs.type as string | undefined);
  if (type !== 'chat' && type !== 'normal') return { store: false, reason: `type ${type}` };
  // XEP-0334 §4.2: no-store wins over a store hint in the same message (the sender's privacy).
  if (message.getChild('no-store', NS.hints)) return { store: false, reason: 'no-store hint' };
  // XEP-0334 §4.4: a store hint on a non-error message SHOULD be honoured.
  if (message.getChild('store', NS.hints)) return { store: true };
  // RFC 6121 §5.2.3/§5.2.4: body and subject are what a user reads.
  if (message.getChild('body') || message.getChild('subject')) return { store: true };
  if (WORTH_STORING.some(([xmlns, name]) => message.getChild(name, xmlns) !== undefined)) return { store: true };
  return { store: false, reason: 'nothing worth storing' };
}
