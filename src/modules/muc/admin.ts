// The muc#admin IQs (XEP-0045 §8, §9): lists by role or affiliation, and changes, after which the
// room is told: removed occupants get unavailable presence with 307 (kicked), 301 (banned) or
// 321 (no longer a member); the others their presence with the new role or affiliation.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import type { MucRoom } from '../../storage/types.js';
import { updateLiveRoom, type LiveRoom } from './room-store.js';
import { decideAdminChange, type AdminItem } from './admin-decision.js';
import { broadcastPresence, presenceToOthers } from './occupant-presence.js';
import { NS_MUC_ADMIN } from './namespaces.js';
import { affiliationOf, bareOf, broadcastsPresenceOf, occupantByJid, seesRealJids, type Affiliation, type Role } from './room-state.js';
import type { RoomContext } from './room-context.js';

const ROLES: readonly Role[] = ['none', 'visitor', 'participant', 'moderator'];
const AFFILIATIONS: readonly Affiliation[] = ['none', 'outcast', 'member', 'admin', 'owner'];

function readItem(item: Element): AdminItem {
  const role = item.attrs.role as Role | undefined;
  const affiliation = item.attrs.affiliation as Affiliation | undefined;
  if (role !== undefined && !ROLES.includes(role)) throw new StanzaError('bad-request', `unknown role '${role}'`);
  if (affiliation !== undefined && !AFFILIATIONS.includes(affiliation)) throw new StanzaError('bad-request', `unknown affiliation '${affiliation}'`);
  if ((role === undefined) === (affiliation === undefined)) throw new StanzaError('bad-request', 'each <item/> changes either a role (by nick) or an affiliation (by jid)');
  return { nick: item.attrs.nick as string | undefined, jid: item.attrs.jid as string | undefined, role, affiliation, reason: item.getChildText('reason') ?? undefined };
}

function listByAffiliation(room: MucRoom, viewerBare: string, affiliation: Affiliation, viewerRole: Role | undefined): Element[] {
  const viewerAffiliation = affiliationOf(room, viewerBare);
  const isAdmin = viewerAffiliation === 'admin' || viewerAffiliation === 'owner';
  // muc#roomconfig_getmemberlist: in a non-anonymous room (Conversations' private groups) the
  // configured roles may read the member list; their JIDs are visible to them anyway.
  const readsMembers = affiliation === 'member' && viewerRole !== undefined && viewerRole !== 'none' && room.config.whois === 'anyone' && room.config.memberListVisibleTo.includes(viewerRole);
  if (!isAdmin && !readsMembers) throw new StanzaError('forbidden', `you may not read the ${affiliation} list of this room`);
  return Object.entries(room.affiliations)
    .filter(([, entry]) => entry.affiliation === affiliation)
    .map(([jid, entry]) => xml('item', { affiliation, jid, nick: entry.nick }, entry.reason ? xml('reason', null, entry.reason) : null));
}

export async function answerAdminGet(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, query: Element): Promise<Element> {
  const item = query.getChild('item');
  const viewer = occupantByJid(room, event.from.toString());
  const bare = event.from.toBareString();
  let items: Element[];
  if (item?.attrs.affiliation !== undefined) {
    items = listByAffiliation(room, bare, item.attrs.affiliation as Affiliation, viewer?.role);
  } else if (item?.attrs.role !== undefined) {
    if (viewer?.role !== 'moderator') throw new StanzaError('forbidden', 'only moderators may list occupants by role');
    items = room.occupants
      .filter((o) => o.role === item.attrs.role)
      .map((o) => xml('item', { role: o.role, nick: o.nick, affiliation: affiliationOf(room, bareOf(o.jid)), jid: seesRealJids(room, viewer) ? o.jid : undefined }));
  } else {
    throw new StanzaError('bad-request', 'ask for a list with <item affiliation=…/> or <item role=…/>');
  }
  return xml('query', { xmlns: NS_MUC_ADMIN }, ...items);
}

export async function answerAdminSet(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, query: Element): Promise<undefined> {
  const items = query.getChildren('item').map(readItem);
  if (items.length === 0) throw new StanzaError('bad-request', 'a muc#admin set needs at least one <item/>');
  const actor = { bare: event.from.toBareString(), occupant: occupantByJid(room, event.from.toString()) };
  const { room: changed, effects } = await updateLiveRoom(rooms, room.jid, (stored) => {
    const decided = decideAdminChange(stored, actor, items);
    const empty = decided.room.occupants.length === 0 && !decided.room.config.persistent;
    return { result: decided, write: empty ? 'delete' : decided.room };
  });
  const actorElement = actor.occupant ? xml('actor', { nick: actor.occupant.nick }) : null;
  for (const { occupant, removedWith, reason, roleBefore } of effects) {
    const extra = [actorElement, reason ? xml('reason', null, reason) : null].filter((e): e is Element => e !== null);
    if (removedWith) await broadcastPresence(rooms, changed, occupant, { type: 'unavailable', codes: [removedWith], itemChildren: extra });
    else {
      // §10.2: the others saw this occupant and its new role is not broadcast: it leaves their view.
      const hidden = roleBefore !== undefined && broadcastsPresenceOf(changed, roleBefore) && !broadcastsPresenceOf(changed, occupant.role);
      if (hidden) await presenceToOthers(rooms, changed, occupant, { type: 'unavailable' });
      await broadcastPresence(rooms, changed, occupant);
    }
  }
  return undefined;
}
