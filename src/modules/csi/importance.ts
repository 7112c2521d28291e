// Which stanzas an inactive client (XEP-0352) must get at once, and which may wait for the next
// one that must. The choice follows what Prosody's mod_csi_simple and ejabberd's
// mod_client_state treat as urgent: anything a person would be notified of, errors, IQs and
// subscription requests; presence updates, chat states, receipts, markers and headlines
// (PEP notifications) wait.
import type { Element } from '../../xml/element.js';
import { needsAttention } from '../../protocol/lasting-content.js';

const CARBONS = 'urn:xmpp:carbons:2';
const FORWARD = 'urn:xmpp:forward:0';

export type Urgency = { urgent: true } | { urgent: false; supersedes?: string };

const URGENT: Urgency = { urgent: true };
const CAN_WAIT: Urgency = { urgent: false };

export function urgencyOf(stanza: Element): Urgency {
  const type = stanza.attrs.type;
  if (type === 'error') return URGENT; // a delivery failure the user should learn of
  if (stanza.name === 'presence') return presenceUrgency(stanza);
  if (stanza.name === 'message') return messageIsUrgent(stanza) ? URGENT : CAN_WAIT;
  return URGENT; // IQs: someone waits for the answer
}

/** Presence updates wait, and only the latest of each contact resource matters; subscriptions do not wait. */
function presenceUrgency(presence: Element): Urgency {
  const type = presence.attrs.type;
  if (type !== undefined && type !== 'unavailable') return URGENT;
  return { urgent: false, supersedes: `presence ${presence.attrs.from ?? ''}` };
}

function messageIsUrgent(message: Element): boolean {
  if (message.attrs.type === 'headline') return false; // ephemeral by definition (PEP events, …)
  // A copy of what the user just sent elsewhere: they are at another device, show it.
  if (message.getChild('sent', CARBONS)) return true;
  const inner = message.getChild('received', CARBONS)?.getChild('forwarded', FORWARD)?.getChild('message') ?? message;
  // A subject is also the last step of joining a group chat; a mediated invitation (XEP-0045) is one too.
  return needsAttention(inner) || inner.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('invite') !== undefined;
}

export const NS_CSI = 'urn:xmpp:csi:0';
