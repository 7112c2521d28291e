// XEP-0313 for rooms: filled in with the room archive step.
import type { StanzaEvent } from '../../core/events.js';
import type { Element } from '../../xml/element.js';
import type { MucRoom } from '../../storage/types.js';
import type { RoomContext } from './room-context.js';

export async function answerRoomArchive(_rooms: RoomContext, _event: StanzaEvent, _room: MucRoom, _payload: Element): Promise<Element | null> {
  return null;
}
