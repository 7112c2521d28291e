// XEP-0045 §7.2 (entering), §7.6 (nick change) and §7.14 (presence updates) as one pure decision
// over the stored room, run inside storage's atomic update: two users taking the last seat or the
// same nickname through two nodes at once cannot both succeed.
import { StanzaError } from '../../protocol/stanza-error.js';
import type { MucOccupant, MucRoom, MucRoomChange, MucRoomState } from '../../storage/types.js';
import type { MucOptions } from './options.js';
import { affiliationOf, affiliationRank, bareOf, defaultRole, newRoom, nickTakenByOther } from './room-state.js';

export interface JoinRequest {
  roomJid: string;
  nick: string;
  /** The real full JID and its bare form. */
  jid: string;
  bare: string;
  /** Presence children to repeat to others. */
  presence: string;
  /** The muc <password/>, if any. */
  password: string | undefined;
  occupantId: string;
  /** The node handling the join (its occupant row says so). */
  node: string;
  now: number;
  /** Why this user may not create the room (rooms-per-user limit), if so. */
  creationRefused: StanzaError | undefined;
  options: MucOptions;
}

export type JoinOutcome =
  | { kind: 'error'; error: StanzaError }
  | { kind: 'joined'; room: MucRoom; occupant: MucOccupant; created: boolean }
  | { kind: 'updated'; room: MucRoom; occupant: MucOccupant }
  | { kind: 'renamed'; room: MucRoom; occupant: MucOccupant; before: MucOccupant };

const refuse = (error: StanzaError): MucRoomChange<JoinOutcome> => ({ result: { kind: 'error', error } });

/** The occupants a join needs to see: the joining JID's own row and whoever uses the nick. */
export const joinFilter = (request: Pick<JoinRequest, 'jid' | 'nick'>) => ({ jid: request.jid, nick: request.nick });

function admissionError(room: MucRoom, state: MucRoomState, request: JoinRequest): StanzaError | undefined {
  const affiliation = affiliationOf(room, request.bare);
  // §10.1.1: until configured (or accepted as instant) the room is the owner's alone.
  if (room.locked && affiliation !== 'owner') return new StanzaError('item-not-found', 'this room is locked until its owner configures it', 'cancel');
  if (affiliation === 'outcast') return new StanzaError('forbidden', 'you are banned from this room');
  if (room.config.membersOnly && affiliationRank(affiliation) < affiliationRank('member')) {
    return new StanzaError('registration-required', 'this room is members-only: ask an admin to make you a member');
  }
  if (room.config.password !== '' && request.password !== room.config.password) {
    return new StanzaError('not-authorized', request.password === undefined ? 'this room needs a password' : 'wrong room password');
  }
  if (nickInUse(room, state, request)) {
    return new StanzaError('conflict', `the nickname '${request.nick}' is in use or reserved in this room; choose another`);
  }
  const seats = Math.min(room.config.maxUsers, request.options.maxOccupantsPerRoom);
  // §7.2.9: another client of an occupant already in the room under this nick takes no new seat.
  const seated = state.occupants.some((o) => o.nick === request.nick && bareOf(o.jid) === request.bare);
  if (!seated && state.occupantCount >= seats && affiliationRank(affiliation) < affiliationRank('admin')) {
    return new StanzaError('service-unavailable', `this room is full (at most ${seats} occupants)`, 'wait');
  }
  return undefined;
}

/**
 * §7.2.9: taken by another user. The same user (bare JID) entering under the nick it already uses
 * from another client shares it, as Prosody and ejabberd allow (multi-session nicks).
 */
function nickInUse(room: MucRoom, state: MucRoomState, request: JoinRequest): boolean {
  const holders = state.occupants.filter((o) => o.nick === request.nick && o.jid !== request.jid);
  return nickTakenByOther(room, holders, request.nick, request.bare);
}

/** Runs over the rows `joinFilter` selects: writes the occupant's row, and the room only when it is new. */
export function decideJoin(state: MucRoomState, request: JoinRequest): MucRoomChange<JoinOutcome> {
  if (request.nick === '') return refuse(new StanzaError('jid-malformed', 'join a room as room@service/nickname'));
  let created = false;
  let room: MucRoom;
  if (state.room) {
    room = state.room;
  } else {
    if (request.creationRefused) return refuse(request.creationRefused);
    room = newRoom(request.roomJid, request.bare, request.options, request.now);
    created = true;
  }
  const current = state.occupants.find((o) => o.jid === request.jid);
  if (current) {
    const occupant = { ...current, presence: request.presence, nick: request.nick };
    if (current.nick === request.nick) return { result: { kind: 'updated', room, occupant }, putOccupants: [occupant] };
    if (nickInUse(room, state, request)) {
      return refuse(new StanzaError('conflict', `the nickname '${request.nick}' is in use or reserved in this room; keep yours or choose another`));
    }
    return { result: { kind: 'renamed', room, occupant, before: current }, putOccupants: [occupant] };
  }
  const refusal = admissionError(room, state, request);
  if (refusal) return refuse(refusal);
  // Another session of the same occupant brings no new role: it has the one already granted.
  const sibling = state.occupants.find((o) => o.nick === request.nick);
  const occupant: MucOccupant = {
    nick: request.nick,
    jid: request.jid,
    role: sibling?.role ?? defaultRole(affiliationOf(room, request.bare), room.config),
    occupantId: request.occupantId,
    presence: request.presence,
    node: request.node,
  };
  return { result: { kind: 'joined', room, occupant, created }, ...(created ? { write: room } : {}), putOccupants: [occupant] };
}

/** §7.14: the occupant leaves; an empty temporary room goes with it (§10.1 "destroyed when the last occupant exits"). */
export function decideLeave(state: MucRoomState, jid: string): MucRoomChange<{ room: MucRoom; occupant: MucOccupant } | undefined> {
  const occupant = state.occupants.find((o) => o.jid === jid);
  if (!state.room || !occupant) return { result: undefined };
  const empty = state.occupantCount === 1 && !state.room.config.persistent;
  return { result: { room: state.room, occupant }, ...(empty ? { write: 'delete' as const } : { removeOccupants: [jid] }) };
}
