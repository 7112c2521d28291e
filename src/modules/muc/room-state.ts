// Pure rules over a room's stored state: who is affiliated how, which role that gives, who may
// see real JIDs (XEP-0045 §5). No I/O here, so the decisions run inside storage's atomic update.
import type { MucAffiliation, MucOccupant, MucRole, MucRoom, MucRoomConfig } from '../../storage/types.js';
import type { MucOptions } from './options.js';
import type { LiveRoom } from './room-store.js';

export type Affiliation = MucAffiliation | 'none';
export type Role = MucRole | 'none';

const AFFILIATION_RANK: Record<Affiliation, number> = { outcast: 0, none: 1, member: 2, admin: 3, owner: 4 };
const ROLE_RANK: Record<Role, number> = { none: 0, visitor: 1, participant: 2, moderator: 3 };

export const affiliationRank = (a: Affiliation): number => AFFILIATION_RANK[a];
export const roleRank = (r: Role): number => ROLE_RANK[r];

export function defaultConfig(options: MucOptions): MucRoomConfig {
  return {
    name: '',
    description: '',
    persistent: false,
    public: true,
    membersOnly: false,
    moderated: false,
    password: '',
    whois: 'moderators',
    maxUsers: options.maxOccupantsPerRoom,
    historyLength: Math.min(20, options.maxHistory),
    allowInvites: false,
    changeSubject: false,
    memberListVisibleTo: ['moderator', 'participant'],
    allowPrivateMessages: true,
    presenceBroadcast: ['moderator', 'participant', 'visitor'],
  };
}

export function newRoom(jid: string, creator: string, options: MucOptions, now: number): MucRoom {
  return { jid, config: defaultConfig(options), affiliations: { [creator]: { affiliation: 'owner' } }, locked: true, createdAt: now, creator };
}

export function affiliationOf(room: MucRoom, bareJid: string): Affiliation {
  return room.affiliations[bareJid]?.affiliation ?? 'none';
}

/** §5.1.2: the role an occupant gets on entering, from its affiliation and the room's moderation. */
export function defaultRole(affiliation: Affiliation, config: MucRoomConfig): MucRole {
  if (affiliation === 'owner' || affiliation === 'admin') return 'moderator';
  if (config.moderated && affiliation === 'none') return 'visitor';
  return 'participant';
}

export const bareOf = (jid: string): string => {
  const slash = jid.indexOf('/');
  return slash === -1 ? jid : jid.slice(0, slash);
};

export function occupantByNick(room: LiveRoom, nick: string): MucOccupant | undefined {
  return room.occupants.find((o) => o.nick === nick);
}

export function occupantByJid(room: LiveRoom, fullJid: string): MucOccupant | undefined {
  return room.occupants.find((o) => o.jid === fullJid);
}

/** Whether `viewer` is shown occupants' real JIDs (§5.1: moderators always; everyone when non-anonymous). */
export function seesRealJids(room: MucRoom, viewer: MucOccupant | undefined): boolean {
  return room.config.whois === 'anyone' || viewer?.role === 'moderator';
}

/** §10.2 muc#roomconfig_presencebroadcast: whether others see the presence of an occupant in `role`. */
export function broadcastsPresenceOf(room: MucRoom, role: MucRole): boolean {
  return room.config.presenceBroadcast?.includes(role) ?? true;
}

/** A copy to change inside a storage update (the stored object is never touched in place). */
export const copyRoom = <R extends MucRoom>(room: R): R => structuredClone(room);

/** The same occupant seen from another of its sessions (one user, one nick, several clients). */
export const sameOccupant = (a: MucOccupant, b: MucOccupant): boolean => a.nick === b.nick && bareOf(a.jid) === bareOf(b.jid);

/** Every session of the occupant called `nick`. */
export function sessionsOf(room: LiveRoom, nick: string): MucOccupant[] {
  return room.occupants.filter((o) => o.nick === nick);
}

/** Occupants whose real JID is `bareJid` (one user may join from several clients). */
export function occupantsOf(room: LiveRoom, bareJid: string): MucOccupant[] {
  return room.occupants.filter((o) => bareOf(o.jid) === bareJid);
}

/** §7.2.9: a nickname taken by another user (among `holders`, who use it now), or reserved (registered) by another member. */
export function nickTakenByOther(room: MucRoom, holders: readonly MucOccupant[], nick: string, bareJid: string): boolean {
  if (holders.some((o) => o.nick === nick && bareOf(o.jid) !== bareJid)) return true;
  return Object.entries(room.affiliations).some(([jid, entry]) => entry.nick === nick && jid !== bareJid);
}
