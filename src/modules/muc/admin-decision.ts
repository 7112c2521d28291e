// XEP-0045 §8–§9 (moderator and admin use cases) as one pure change to the stored room: role
// changes by nick (kick = role none, voice), affiliation changes by bare JID (member, admin,
// owner, ban = outcast), with the privilege rules of §5.1–§5.2. Run inside storage's atomic update.
import { StanzaError } from '../../protocol/stanza-error.js';
import type { MucOccupant } from '../../storage/types.js';
import type { LiveRoom as MucRoom } from './room-store.js';
import { affiliationOf, affiliationRank, bareOf, copyRoom, defaultRole, occupantsOf, occupantByNick, type Affiliation, type Role } from './room-state.js';

export interface AdminItem {
  nick?: string | undefined;
  jid?: string | undefined;
  role?: Role | undefined;
  affiliation?: Affiliation | undefined;
  reason?: string | undefined;
}

/** What happened to an occupant, to tell the room: removed (with its status code) or changed. */
export interface OccupantEffect {
  occupant: MucOccupant;
  removedWith?: '307' | '301' | '321' | undefined;
  reason?: string | undefined;
  /** The role it had before, when it stays in the room (§10.2: the others may stop seeing it). */
  roleBefore?: MucOccupant['role'] | undefined;
}

export interface AdminActor {
  /** The actor's bare JID and, when it is in the room, its occupant. */
  bare: string;
  occupant: MucOccupant | undefined;
}

function changeRole(room: MucRoom, actor: AdminActor, item: AdminItem, effects: OccupantEffect[]): void {
  const target = item.nick === undefined ? undefined : occupantByNick(room, item.nick);
  if (!target) throw new StanzaError('item-not-found', `nobody is called '${item.nick ?? ''}' in this room`);
  if (actor.occupant?.role !== 'moderator') throw new StanzaError('forbidden', 'only moderators may change roles');
  const actorAffiliation = affiliationOf(room, actor.bare);
  const targetAffiliation = affiliationOf(room, bareOf(target.jid));
  const role = item.role!;
  // §5.2: nobody takes a role from an admin or owner, and only admins and owners grant moderator.
  if (affiliationRank(targetAffiliation) >= affiliationRank('admin') && role !== 'moderator') {
    throw new StanzaError('not-allowed', `${target.nick} is an ${targetAffiliation} of this room; their role cannot be lowered`);
  }
  if ((role === 'moderator' || target.role === 'moderator') && affiliationRank(actorAffiliation) < affiliationRank('admin')) {
    throw new StanzaError('not-allowed', 'only admins and owners may grant or revoke the moderator role');
  }
  // Every session of the occupant: a role belongs to the occupant, not to one of its clients.
  for (const session of room.occupants.filter((o) => o.nick === target.nick)) {
    if (role === 'none') {
      room.occupants = room.occupants.filter((o) => o !== session);
      effects.push({ occupant: session, removedWith: '307', reason: item.reason });
    } else {
      const roleBefore = session.role;
      session.role = role;
      effects.push({ occupant: session, reason: item.reason, roleBefore });
    }
  }
}

function changeAffiliation(room: MucRoom, actor: AdminActor, item: AdminItem, effects: OccupantEffect[]): void {
  if (item.jid === undefined) throw new StanzaError('bad-request', 'an affiliation change names the user by jid');
  const bare = bareOf(item.jid);
  const actorAffiliation = affiliationOf(room, actor.bare);
  const before = affiliationOf(room, bare);
  const after = item.affiliation!;
  if (affiliationRank(actorAffiliation) < affiliationRank('admin')) throw new StanzaError('forbidden', 'only admins and owners may change affiliations');
  const ownerOnly = [before, after].some((a) => a === 'owner' || a === 'admin');
  if (ownerOnly && actorAffiliation !== 'owner') throw new StanzaError('not-allowed', 'only owners may grant or take the admin and owner affiliations');
  const owners = Object.values(room.affiliations).filter((entry) => entry.affiliation === 'owner').length;
  if (before === 'owner' && after !== 'owner' && owners === 1) throw new StanzaError('conflict', 'a room keeps at least one owner: make someone else owner first');
  if (after === 'none') delete room.affiliations[bare];
  else room.affiliations[bare] = { ...room.affiliations[bare], affiliation: after, reason: item.reason };
  for (const occupant of occupantsOf(room, bare)) {
    const removedWith = after === 'outcast' ? '301' : room.config.membersOnly && affiliationRank(after) < affiliationRank('member') ? '321' : undefined;
    const roleBefore = occupant.role;
    if (removedWith) {
      room.occupants = room.occupants.filter((o) => o !== occupant);
    } else {
      occupant.role = defaultRole(after, room.config);
    }
    effects.push({ occupant, removedWith, reason: item.reason, roleBefore });
  }
}

/** Applies every item or none (§9: one bad item fails the whole request). */
export function decideAdminChange(stored: MucRoom | undefined, actor: AdminActor, items: readonly AdminItem[]): { room: MucRoom; effects: OccupantEffect[] } {
  if (!stored) throw new StanzaError('item-not-found', 'there is no such room');
  const room = copyRoom(stored);
  const occupant = actor.occupant && room.occupants.find((o) => o.jid === actor.occupant!.jid);
  const effects: OccupantEffect[] = [];
  for (const item of items) {
    if (item.role !== undefined) changeRole(room, { ...actor, occupant }, item, effects);
    else changeAffiliation(room, actor, item, effects);
  }
  return { room, effects };
}
