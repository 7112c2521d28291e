// Which messages go into a user archive. XEP-0313 §5.1.1: chat and normal messages with a body,
// and other content a user would miss (protocol/lasting-content.ts: encrypted payloads, receipts,
// chat markers, retractions); never chat states alone, errors, headlines or groupchat. XEP-0334
// hints: no-store and no-permanent-store keep a message out, store lets it in.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { messageType } from '../../protocol/message-type.js';
import { hasLastingContent } from '../../protocol/lasting-content.js';

export function isArchivable(message: Element): boolean {
  const type = messageType(message.attrs.type as string | undefined);
  if (type !== 'chat' && type !== 'normal') return false;
  // §4.2/§4.3: the sender's privacy wins over a store hint in the same message.
  if (message.getChild('no-store', NS.hints) || message.getChild('no-permanent-store', NS.hints)) return false;
  return message.getChild('store', NS.hints) !== undefined || hasLastingContent(message);
}
