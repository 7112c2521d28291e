// XEP-0425 (0.3) moderated message retraction: a moderator asks the room to retract a message by
// its stanza-id; the room replaces it in its archive with a tombstone (so history and MAM no
// longer carry it) and tells every occupant with a XEP-0424 <retract/> naming the moderator.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { buildElement } from '../../xml/element-builder.js';
import type { LiveRoom } from './room-store.js';
import { NS_OCCUPANT_ID } from './namespaces.js';
import { occupantByJid } from './room-state.js';
import { toEveryone } from './groupchat.js';
import type { RoomContext } from './room-context.js';

export const NS_MODERATE = 'urn:xmpp:message-moderate:1';
const NS_RETRACT = 'urn:xmpp:message-retract:1';

/** The archived message with its content replaced by the §5 tombstone. */
function tombstone(original: string, moderated: Element, stamp: string, reason: string | null): string {
  const message = buildElement(original);
  const kept = message.getChildElements().filter((child) => child.attrs.xmlns === NS_OCCUPANT_ID || child.name === 'stanza-id');
  message.children = [...kept, xml('retracted', { xmlns: NS_RETRACT, stamp }, moderated, reason !== null ? xml('reason', null, reason) : null)];
  return message.toString();
}

export async function answerModeration(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, request: Element): Promise<undefined> {
  const moderator = occupantByJid(room, event.from.toString());
  if (moderator?.role !== 'moderator') throw new StanzaError('forbidden', 'only moderators may retract other occupants\' messages');
  const id = request.attrs.id as string | undefined;
  if (!id || !request.getChild('retract', NS_RETRACT)) throw new StanzaError('bad-request', "a moderation names the message's stanza-id in 'id' and carries <retract xmlns='urn:xmpp:message-retract:1'/>");
  const page = await rooms.ctx.storage.archive.query(room.jid, { ids: [id], max: 1, fromEnd: false });
  const archived = page?.messages[0];
  if (!archived) throw new StanzaError('item-not-found', `this room has no message with stanza-id ${id}`);
  const reason = request.getChildText('reason');
  const moderated = () => xml('moderated', { xmlns: NS_MODERATE, by: `${room.jid}/${moderator.nick}` }, xml('occupant-id', { xmlns: NS_OCCUPANT_ID, id: moderator.occupantId }));
  const stamp = new Date(rooms.ctx.clock.now()).toISOString();
  await rooms.ctx.storage.archive.replaceStanza(room.jid, id, tombstone(archived.stanza, moderated(), stamp, reason));
  const announcement = xml(
    'message',
    { type: 'groupchat', from: room.jid, id: rooms.ctx.ids.next() },
    xml('retract', { xmlns: NS_RETRACT, id }, moderated(), reason !== null ? xml('reason', null, reason) : null),
  );
  await toEveryone(rooms, room, announcement);
  return undefined;
}
