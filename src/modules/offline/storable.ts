// Which messages are worth keeping for an offline account. XEP-0160 §3 decides by type; within
// chat/normal only messages a user would miss are kept (protocol/lasting-content.ts). Chat states
// alone are transient (XEP-0085 §5.8: standalone notifications SHOULD NOT be stored offline).
// The sender's XEP-0334 hints override this either way.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { messageType } from '../../protocol/message-type.js';
import { hasLastingContent } from '../../protocol/lasting-content.js';

export type StoreDecision = { store: true } | { store: false; reason: string };

export function storeDecision(message: Element): StoreDecision {
  // XEP-0160 §3: groupchat, headline and error SHOULD NOT be stored (and are never offered).
  const type = messageType(message.attrs.type as string | undefined);
  if (type !== 'chat' && type !== 'normal') return { store: false, reason: `type ${type}` };
  // XEP-0334 §4.2: no-store wins over a store hint in the same message (the sender's privacy).
  if (message.getChild('no-store', NS.hints)) return { store: false, reason: 'no-store hint' };
  // XEP-0334 §4.4: a store hint on a non-error message SHOULD be honoured.
  if (message.getChild('store', NS.hints)) return { store: true };
  if (hasLastingContent(message)) return { store: true };
  return { store: false, reason: 'nothing worth storing' };
}
