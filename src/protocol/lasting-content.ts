// Whether a message carries something a user would miss if it were dropped: content, encrypted
// content, and the delivery/read state of earlier messages (receipts, chat markers). Chat states
// alone are transient. Shared by the offline store (XEP-0160) and the archive (XEP-0313), which
// each add their own rules on types and XEP-0334 hints.
import type { Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

/** Encrypted content: the server cannot read it, so it must assume a person wants it. */
const ENCRYPTED_PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  // XEP-0380 Explicit Message Encryption: says the payload is encrypted, wherever it is.
  ['urn:xmpp:eme:0', 'encryption'],
  // OMEMO (legacy namespace and XEP-0384 0.3+), XEP-0373 OpenPGP, XEP-0027 legacy OpenPGP.
  ['eu.siacs.conversations.axolotl', 'encrypted'],
  ['urn:xmpp:omemo:2', 'encrypted'],
  ['urn:xmpp:openpgp:0', 'openpgp'],
  ['jabber:x:encrypted', 'x'],
];

const INVITATION = ['jabber:x:conference', 'x'] as const;

/** [namespace, element name] pairs whose presence makes a message worth keeping. */
const LASTING_PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  ...ENCRYPTED_PAYLOADS,
  // XEP-0184 delivery receipt: the sender's client waits for it.
  [NS.receipts, 'received'],
  // XEP-0333 §7: "Chat Markers SHOULD be archived" so they can be fetched later.
  [NS.chatMarkers, 'received'],
  [NS.chatMarkers, 'displayed'],
  [NS.chatMarkers, 'acknowledged'],
  // XEP-0249 direct MUC invitation: content, though it has no body.
  INVITATION,
  // XEP-0424 §5: a retraction MUST be stored, even without the recommended fallback body.
  ['urn:xmpp:message-retract:1', 'retract'],
];

export function hasLastingContent(message: Element): boolean {
  // RFC 6121 §5.2.3/§5.2.4: body and subject are what a user reads.
  if (message.getChild('body') || message.getChild('subject')) return true;
  return LASTING_PAYLOADS.some(([xmlns, name]) => message.getChild(name, xmlns) !== undefined);
}

/**
 * Whether a person would want to be told about this message now (a phone woken by XEP-0357
 * push, an inactive client per XEP-0352): something to read — body, subject, encrypted content,
 * an invitation. Receipts, markers and chat states can wait for the next time they look.
 */
export function needsAttention(message: Element): boolean {
  if (message.getChild('body') || message.getChild('subject')) return true;
  return [...ENCRYPTED_PAYLOADS, INVITATION].some(([xmlns, name]) => message.getChild(name, xmlns) !== undefined);
}
