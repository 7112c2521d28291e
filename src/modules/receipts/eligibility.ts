// Which acknowledged stanzas are XEP-0184 content messages Herald may answer for the recipient,
// and the ack message it then sends.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import { messageType } from '../../protocol/message-type.js';

const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';

/** What the ack message needs from a content message. */
export interface ContentMessage {
  /** The content message's 'id', echoed in <received/> (§7). */
  id: string;
  /** Its sender: the ack message goes back there. */
  sender: Jid;
  /** Its type, reused for the ack message (§7 note); undefined for normal. */
  type: string | undefined;
}

/** The content message in `stanza`, or undefined when Herald must not answer it. */
export function contentMessageOf(stanza: Element): ContentMessage | undefined {
  if (stanza.name !== 'message' || !stanza.getChild('request', NS.receipts)) return undefined;
  // §5.4: an ack message never asks for an ack; answering one that does would loop.
  if (stanza.getChild('received', NS.receipts)) return undefined;
  // §5.3 and §5 (non-error messages only). A receipt for a room message would go to the room.
  const type = messageType(stanza.attrs.type as string | undefined);
  if (type === 'error' || type === 'groupchat') return undefined;
  // §5.5: a copy (carbon, archive result, forward) is not the first reception of the message.
  if (isWrapper(stanza)) return undefined;
  // §7: without an 'id' the sender cannot match the ack message to what it sent.
  const id = stanza.attrs.id as string | undefined;
  const sender = tryParseJid(stanza.attrs.from as string | undefined);
  if (!id || !sender) return undefined;
  return { id, sender, type: type === 'normal' ? undefined : type };
}

function isWrapper(stanza: Element): boolean {
  if (stanza.getChild('sent', NS_CARBONS) || stanza.getChild('received', NS_CARBONS)) return true;
  return stanza.getChildElements().some((child) => child.is('forwarded', NS_FORWARD) || child.getChild('forwarded', NS_FORWARD) !== undefined);
}

/**
 * §7 "A message delivery receipt": from the device that got the content message, with <received/>
 * as its only child (so no <request/>, §5.4) echoing the content message's id.
 */
export function ackMessage(content: ContentMessage, from: Jid, id: string): Element {
  return xml(
    'message',
    { from: from.toString(), to: content.sender.toString(), id, type: content.type },
    xml('received', { xmlns: NS.receipts, id: content.id }),
  );
}
