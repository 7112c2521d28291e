// Messages to a room (XEP-0045 §7.4) and subject changes (§8.1): only occupants may send, visitors
// of a moderated room may not; each message is stamped by the room (XEP-0359 stanza-id by the
// room JID, XEP-0421 occupant-id), stored in the room's archive first, then sent to every occupant.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { hasLastingContent } from '../../protocol/lasting-content.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { MucOccupant } from '../../storage/types.js';
import { loadRoom, updateLiveRoom, type LiveRoom } from './room-store.js';
import { NS_OCCUPANT_ID } from './namespaces.js';
import { copyRoom, occupantByJid } from './room-state.js';
import { spendMessage } from './rate-limit.js';
import type { RoomContext } from './room-context.js';

/** The room, and the sender as an occupant of it; the errors §7.4 and §7.2 name otherwise. */
export async function senderIn(rooms: RoomContext, event: StanzaEvent): Promise<{ room: LiveRoom; sender: MucOccupant }> {
  const room = await loadRoom(rooms, event.to.toBareString());
  if (!room) throw new StanzaError('item-not-found', `there is no room ${event.to.toBareString()}`);
  const sender = occupantByJid(room, event.from.toString());
  if (!sender) throw new StanzaError('not-acceptable', 'you are not in this room: join it before sending to it');
  const refused = spendMessage(event.origin, rooms.options.maxMessagesPerMinute, rooms.ctx.clock.now());
  if (refused) throw refused;
  return { room, sender };
}

/** The message as the room repeats it: from the sender's occupant JID, without stamps the client made up. */
export function asFromOccupant(stanza: Element, room: LiveRoom, sender: MucOccupant): Element {
  const copy = cloneElement(stanza);
  copy.attrs.from = `${room.jid}/${sender.nick}`;
  delete copy.attrs.to;
  copy.children = copy.children.filter(
    (child) => typeof child === 'string' || !((child.name === 'stanza-id' && child.attrs.xmlns === NS.stanzaId) || child.attrs.xmlns === NS_OCCUPANT_ID),
  );
  copy.append(xml('occupant-id', { xmlns: NS_OCCUPANT_ID, id: sender.occupantId }));
  return copy;
}

export async function toEveryone(rooms: RoomContext, room: LiveRoom, message: Element): Promise<void> {
  for (const occupant of room.occupants) {
    const copy = cloneElement(message);
    copy.attrs.to = occupant.jid;
    await rooms.send(copy);
  }
}

async function changeSubject(rooms: RoomContext, room: LiveRoom, sender: MucOccupant, stanza: Element): Promise<void> {
  const allowed = sender.role === 'moderator' || (room.config.changeSubject && sender.role === 'participant');
  if (!allowed) throw new StanzaError('forbidden', 'only moderators may change the subject of this room');
  const text = stanza.getChildText('subject') ?? '';
  const updated = await updateLiveRoom(rooms, room.jid, (stored) => {
    if (!stored) return { result: undefined };
    const next = copyRoom(stored);
    next.subject = text === '' ? undefined : { text, nick: sender.nick };
    return { result: next, write: next };
  });
  if (updated) await toEveryone(rooms, updated, asFromOccupant(stanza, room, sender));
}

export async function handleGroupchat(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { room, sender } = await senderIn(rooms, event);
  const { stanza } = event;
  if (sender.role === 'visitor') throw new StanzaError('forbidden', 'visitors may not speak in this moderated room; ask a moderator for voice');
  if (stanza.getChild('subject') && !stanza.getChild('body')) return changeSubject(rooms, room, sender, stanza);
  const id = rooms.ctx.ids.next();
  const message = asFromOccupant(stanza, room, sender);
  message.append(xml('stanza-id', { xmlns: NS.stanzaId, by: room.jid, id }));
  if (hasLastingContent(message)) {
    // Stored before anyone is told, so history and the archive never miss what was seen.
    await rooms.ctx.storage.archive.append(room.jid, {
      id,
      with: message.attrs.from as string,
      direction: 'in',
      ...(typeof stanza.attrs.id === 'string' ? { messageId: stanza.attrs.id } : {}),
      stanza: message.toString(),
      timestamp: rooms.ctx.clock.now(),
    }, { promptly: true });
  }
  await toEveryone(rooms, room, message);
}
