// The presence a room sends about an occupant (XEP-0045 §7.2.3): its own presence children, the
// muc#user <item/> with affiliation and role (and the real JID where the viewer may see it), the
// status codes, and its XEP-0421 occupant id.
import { xml, type Element } from '../../xml/element.js';
import { buildElement } from '../../xml/element-builder.js';
import { NS } from '../../xml/ns.js';
import type { MucOccupant } from '../../storage/types.js';
import type { LiveRoom } from './room-store.js';
import { affiliationOf, bareOf, broadcastsPresenceOf, sameOccupant, seesRealJids } from './room-state.js';
import { NS_MUC, NS_MUC_USER, NS_OCCUPANT_ID } from './namespaces.js';
import type { RoomContext } from './room-context.js';

export interface PresenceDetails {
  type?: 'unavailable';
  /** Status codes for every viewer (e.g. 307 kicked, 303 nick change). */
  codes?: readonly string[];
  /** Status codes only the occupant itself gets, after 110 (e.g. 201, 100, 170). */
  selfCodes?: readonly string[];
  /** §7.6: the new nick on the unavailable presence of a nick change. */
  newNick?: string;
  /** <actor/> and <reason/> inside the <item/> (§8.2, §9.1). */
  itemChildren?: readonly Element[];
  /** Other children of the muc#user <x/>, such as <destroy/> (§10.9). */
  extra?: readonly Element[];
}

/** The children of a client's presence worth repeating to others (the muc elements are ours to write). */
export function keptPresenceChildren(stanza: Element): string {
  return stanza
    .getChildElements()
    .filter((child) => ![NS_MUC, NS_MUC_USER, NS_OCCUPANT_ID, NS.delay].includes(child.attrs.xmlns as string))
    .map((child) => child.toString())
    .join('');
}

function storedChildren(presence: string): Element[] {
  if (presence === '') return [];
  return buildElement(`<presence xmlns='jabber:client'>${presence}</presence>`).getChildElements();
}

export function occupantPresence(rooms: RoomContext, room: LiveRoom, occupant: MucOccupant, viewer: MucOccupant, details: PresenceDetails = {}): Element {
  // Every session of the occupant hears about itself as itself (110).
  const isSelf = sameOccupant(viewer, occupant);
  const codes = [...(isSelf ? ['110', ...(details.selfCodes ?? [])] : []), ...(details.codes ?? [])];
  const showJid = isSelf || seesRealJids(room, viewer);
  const affiliation = affiliationOf(room, bareOf(occupant.jid));
  return xml(
    'presence',
    { from: `${room.jid}/${occupant.nick}`, to: viewer.jid, type: details.type },
    details.type === 'unavailable' ? [] : storedChildren(occupant.presence),
    xml(
      'x',
      { xmlns: NS_MUC_USER },
      xml(
        'item',
        { affiliation, role: details.type === 'unavailable' ? 'none' : occupant.role, jid: showJid ? occupant.jid : undefined, nick: details.newNick },
        ...(details.itemChildren ?? []),
      ),
      ...(details.extra ?? []),
      ...codes.map((code) => xml('status', { code })),
    ),
    xml('occupant-id', { xmlns: NS_OCCUPANT_ID, id: occupant.occupantId }),
  );
}

/**
 * Tells every occupant of `room` (and `occupant` itself, even when it has just left) about
 * `occupant`; only `occupant` itself when the room does not broadcast its role's presence (§10.2).
 */
export async function broadcastPresence(rooms: RoomContext, room: LiveRoom, occupant: MucOccupant, details: PresenceDetails = {}): Promise<void> {
  const others = broadcastsPresenceOf(room, occupant.role) ? room.occupants.filter((o) => o.jid !== occupant.jid) : room.occupants.filter((o) => o.jid !== occupant.jid && sameOccupant(o, occupant));
  const viewers = [...others, occupant];
  for (const viewer of viewers) await rooms.send(occupantPresence(rooms, room, occupant, viewer, details));
}

/** Tells the occupants who are not `occupant` itself (in any of its sessions) about it. */
export async function presenceToOthers(rooms: RoomContext, room: LiveRoom, occupant: MucOccupant, details: PresenceDetails): Promise<void> {
  for (const viewer of room.occupants) if (!sameOccupant(viewer, occupant)) await rooms.send(occupantPresence(rooms, room, occupant, viewer, details));
}
