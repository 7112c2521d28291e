// Stanzas to room@service/nick other than presence: private messages (XEP-0045 §7.5) and IQs.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { cloneElement, xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_MUC_USER } from './namespaces.js';
import { occupantByJid, occupantByNick, sessionsOf } from './room-state.js';
import { asFromOccupant, senderIn } from './groupchat.js';
import type { RoomContext } from './room-context.js';
import { loadRoom } from './room-store.js';
import { forwardIq, notAnOccupant, returnIqAnswer } from './occupant-iq.js';

export async function handlePrivateMessage(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, to } = event;
  if (stanza.attrs.type === 'groupchat') throw new StanzaError('bad-request', 'a groupchat message goes to the room, not to one occupant');
  const { room, sender } = await senderIn(rooms, event);
  if (!room.config.allowPrivateMessages) throw new StanzaError('forbidden', 'private messages are turned off in this room');
  const targets = sessionsOf(room, to.resource);
  if (targets.length === 0) throw new StanzaError('item-not-found', `nobody is called '${to.resource}' in this room`);
  const message = asFromOccupant(stanza, room, sender);
  // §7.5: marks it as sent through the room, so clients do not take it for a direct chat.
  message.append(xml('x', { xmlns: NS_MUC_USER }));
  // Every client the occupant is in the room with.
  for (const target of targets) {
    const copy = cloneElement(message);
    copy.attrs.to = target.jid;
    await rooms.send(copy);
  }
}

/**
 * IQs to room@service/nick: XEP-0410 §3 self-pings are answered by the room ("you are still
 * joined"); others are passed on between occupants (occupant-iq.ts), answers included.
 */
export async function handleOccupantIq(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, from, to } = event;
  const type = stanza.attrs.type as string | undefined;
  const room = await loadRoom(rooms, to.toBareString());
  if (type === 'result' || type === 'error') {
    if (room) await returnIqAnswer(rooms, event, room);
    return;
  }
  const self = room && occupantByJid(room, from.toString());
  if (!room || !self) throw notAnOccupant();
  const target = occupantByNick(room, to.resource);
  if (!target) throw new StanzaError('item-not-found', `nobody is called '${to.resource}' in this room`);
  if (type === 'get' && stanza.getChild('ping', NS.ping) && target.nick === self.nick) {
    await rooms.send(xml('iq', { type: 'result', id: stanza.attrs.id, from: to.toString(), to: from.toString() }));
    return;
  }
  await forwardIq(rooms, event, room, self, target);
}
