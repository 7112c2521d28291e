// XEP-0486 room avatars: a vCard-temp (XEP-0054) on the room JID. Owners set it, anyone gets it;
// the SHA-1 of its photo is kept in the room record for disco#info (muc#roominfo_avatarhash), so
// a disco query reads no vCard, and occupants are told of a change with a vcard-temp:x:update
// presence from the room (as XEP-0153 does for users).
import { createHash } from 'node:crypto';
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { buildElement } from '../../xml/element-builder.js';
import { affiliationOf } from './room-state.js';
import { updateLiveRoom, type LiveRoom } from './room-store.js';
import type { RoomContext } from './room-context.js';

export const NS_VCARD = 'vcard-temp';
const NS_VCARD_UPDATE = 'vcard-temp:x:update';

/** XEP-0153 §2: the hex SHA-1 of the image bytes, or undefined when the vCard has no photo. */
function photoHash(vcard: Element): string | undefined {
  const binval = vcard.getChild('PHOTO')?.getChildText('BINVAL');
  if (!binval || binval.trim() === '') return undefined;
  return createHash('sha1').update(Buffer.from(binval.replace(/\s+/g, ''), 'base64')).digest('hex');
}

export async function answerRoomVCard(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, vcard: Element): Promise<Element | undefined> {
  if (event.stanza.attrs.type === 'get') {
    const stored = await rooms.ctx.storage.vcards.get(room.jid);
    return stored === undefined ? xml('vCard', { xmlns: NS_VCARD }) : buildElement(stored);
  }
  if (affiliationOf(room, event.from.toBareString()) !== 'owner') throw new StanzaError('forbidden', "only owners of this room may set its vCard (the room's avatar)");
  const hash = photoHash(vcard);
  await rooms.ctx.storage.vcards.put(room.jid, vcard.toString());
  const updated = await updateLiveRoom(rooms, room.jid, (stored) => {
    if (!stored) return { result: undefined };
    const next = { ...stored, avatarHash: hash };
    return { result: next, write: next };
  });
  if (!updated) return undefined;
  for (const occupant of updated.occupants) {
    await rooms.send(xml('presence', { from: room.jid, to: occupant.jid }, xml('x', { xmlns: NS_VCARD_UPDATE }, xml('photo', null, hash ?? ''))));
  }
  return undefined;
}
