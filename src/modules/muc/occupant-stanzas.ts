// Stanzas to room@service/nick other than presence: private messages (XEP-0045 §7.5) and IQs,
// of which the service answers XEP-0410 self-pings itself.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_MUC_USER } from './namespaces.js';
import { occupantByJid, occupantByNick } from './room-state.js';
import { asFromOccupant, senderIn } from './groupchat.js';
import type { RoomContext } from './room-context.js';
import { loadRoom } from './room-store.js';

export async function handlePrivateMessage(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, to } = event;
  if (stanza.attrs.type === 'groupchat') throw new StanzaError('bad-request', 'a groupchat message goes to the room, not to one occupant');
  const { room, sender } = await senderIn(rooms, event);
  if (!room.config.allowPrivateMessages) throw new StanzaError('forbidden', 'private messages are turned off in this room');
  const target = occupantByNick(room, to.resource);
  if (!target) throw new StanzaError('item-not-found', `nobody is called '${to.resource}' in this room`);
  const message = asFromOccupant(stanza, room, sender);
  message.attrs.to = target.jid;
  // §7.5: marks it as sent through the room, so clients do not take it for a direct chat.
  message.append(xml('x', { xmlns: NS_MUC_USER }));
  await rooms.send(message);
}

/** XEP-0410 §3: a ping to one's own occupant JID is answered by the room: "you are still joined". */
export async function handleOccupantIq(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, from, to } = event;
  const type = stanza.attrs.type as string | undefined;
  if (type === 'result' || type === 'error') return;
  const room = await loadRoom(rooms, to.toBareString());
  const self = room && occupantByJid(room, from.toString());
  if (!room || !self) throw new StanzaError('not-acceptable', 'you are not joined to this room under that nickname', 'cancel');
  const target = occupantByNick(room, to.resource);
  if (!target) throw new StanzaError('item-not-found', `nobody is called '${to.resource}' in this room`);
  if (type === 'get' && stanza.getChild('ping', NS.ping)) {
    if (target.jid !== self.jid) throw new StanzaError('feature-not-implemented', 'the room answers pings only to your own occupant JID');
    await rooms.send(xml('iq', { type: 'result', id: stanza.attrs.id, from: to.toString(), to: from.toString() }));
    return;
  }
  throw new StanzaError('feature-not-implemented', 'this room does not pass IQs on to occupants yet');
}
