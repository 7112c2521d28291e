// IQs to the service and to rooms: disco (§6), muc#admin (§8–§9), muc#owner (§10) and the room's
// message archive (XEP-0313).
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { serviceInfo, serviceItems, roomInfo } from './disco.js';
import { answerAdminGet, answerAdminSet } from './admin.js';
import { answerOwnerGet, answerOwnerSet } from './owner.js';
import { answerRoomArchive } from './room-archive.js';
import { answerModeration, NS_MODERATE } from './moderation.js';
import { NS_MUC_ADMIN, NS_MUC_OWNER } from './namespaces.js';
import type { RoomContext } from './room-context.js';
import { loadRoom } from './room-store.js';
import { answerRoomVCard, NS_VCARD } from './room-avatar.js';
import { answerRoomRegister, NS_REGISTER, reservedNickInfo } from './room-register.js';

function payloadOf(event: StanzaEvent): Element {
  const payload = event.stanza.getChildElements()[0];
  if (!payload) throw new StanzaError('bad-request', 'the IQ has no payload');
  return payload;
}

export async function answerServiceIq(rooms: RoomContext, event: StanzaEvent): Promise<Element> {
  const payload = payloadOf(event);
  const get = event.stanza.attrs.type === 'get' && payload.name === 'query' && payload.attrs.node === undefined;
  if (get && payload.attrs.xmlns === NS.discoInfo) return serviceInfo();
  if (get && payload.attrs.xmlns === NS.discoItems) return serviceItems(await rooms.ctx.storage.muc.list(event.to.domain));
  throw new StanzaError('service-unavailable', 'the conference service answers disco#info and disco#items');
}

export async function answerRoomIq(rooms: RoomContext, event: StanzaEvent): Promise<Element | undefined> {
  const payload = payloadOf(event);
  const room = await loadRoom(rooms, event.to.toBareString());
  if (!room) throw new StanzaError('item-not-found', `there is no room ${event.to.toBareString()}`);
  const type = event.stanza.attrs.type;
  const ns = payload.attrs.xmlns as string | undefined;
  if (type === 'get' && ns === NS.discoInfo && payload.attrs.node === 'x-roomuser-item') return reservedNickInfo(room, event.from.toBareString());
  if (type === 'get' && ns === NS.discoInfo) return roomInfo(room);
  if (ns === NS_REGISTER) return answerRoomRegister(rooms, event, room, payload);
  // Occupant lists are not given to strangers (§6.5 allows an empty answer).
  if (type === 'get' && ns === NS.discoItems) return xml('query', { xmlns: NS.discoItems });
  if (ns === NS_MUC_ADMIN) return type === 'get' ? answerAdminGet(rooms, event, room, payload) : answerAdminSet(rooms, event, room, payload);
  if (ns === NS_MUC_OWNER) return type === 'get' ? answerOwnerGet(rooms, event, room) : answerOwnerSet(rooms, event, room, payload);
  if (ns === NS_VCARD && payload.name === 'vCard') return answerRoomVCard(rooms, event, room, payload);
  if (type === 'set' && ns === NS_MODERATE && payload.name === 'moderate') return answerModeration(rooms, event, room, payload);
  const archive = await answerRoomArchive(rooms, event, room, payload);
  if (archive !== null) return archive;
  throw new StanzaError('service-unavailable', `rooms do not answer ${ns ?? payload.name} queries`);
}
