// XEP-0045 §7.2 (entering), §7.6 (nick change) and §7.14 (presence updates) as one pure decision
// over the stored room, run inside storage's atomic update: two users taking the last seat or the
// same nickname through two nodes at once cannot both succeed.
import { StanzaError } from '../../protocol/stanza-error.js';
import type { MucOccupant, MucRoom, MucRoomChange } from '../../storage/types.js';
import type { MucOptions } from './options.js';
import { affiliationOf, affiliationRank, copyRoom, defaultRole, newRoom, nickTakenByOther, occupantByJid, occupantByNick } from './room-state.js';

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

function admissionError(room: MucRoom, request: JoinRequest): StanzaError | undefined {
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
  if (occupantByNick(room, request.nick) || nickTakenByOther(room, request.nick, request.bare)) {
    return new StanzaError('conflict', `the nickname '${request.nick}' is in use or reserved in this room; choose another`);
  }
  const seats = Math.min(room.config.maxUsers, request.options.maxOccupantsPerRoom);
  if (room.occupants.length >= seats && affiliationRank(affiliation) < affiliationRank('admin')) {
    return new StanzaError('service-unavailable', `this room is full (at most ${seats} occupants)`, 'wait');
  }
  return undefined;
}

export function decideJoin(stored: MucRoom | undefined, request: JoinRequest): MucRoomChange<JoinOutcome> {
  if (request.nick === '') return refuse(new StanzaError('jid-malformed', 'join a room as room@service/nickname'));
  let created = false;
  let room: MucRoom;
  if (stored) {
    room = copyRoom(stored);
  } else {
    if (request.creationRefused) return refuse(request.creationRefused);
    room = newRoom(request.roomJid, request.bare, request.options, request.now);
    created = true;
  }
  const current = occupantByJid(room, request.jid);
  if (current) {
    const before = { ...current };
    current.presence = request.presence;
    if (current.nick === request.nick) return { result: { kind: 'updated', room, occupant: current }, write: room };
    if (occupantByNick(room, request.nick) || nickTakenByOther(room, request.nick, request.bare)) {
      return refuse(new StanzaError('conflict', `the nickname '${request.nick}' is in use or reserved in this room; keep yours or choose another`));
    }
    current.nick = request.nick;
    return { result: { kind: 'renamed', room, occupant: current, before }, write: room };
  }
  const refusal = admissionError(room, request);
  if (refusal) return refuse(refusal);
  const occupant: MucOccupant = {
    nick: request.nick,
    jid: request.jid,
    role: defaultRole(affiliationOf(room, request.bare), room.config),
    occupantId: request.occupantId,
    presence: request.presence,
  };
  room.occupants.push(occupant);
  return { result: { kind: 'joined', room, occupant, created }, write: room };
}

/** §7.14: the occupant leaves; an empty temporary room goes with it (§10.1 "destroyed when the last occupant exits"). */
export function decideLeave(stored: MucRoom | undefined, jid: string): MucRoomChange<{ room: MucRoom; occupant: MucOccupant } | undefined> {
  const occupant = stored && occupantByJid(stored, jid);
  if (!stored || !occupant) return { result: undefined };
  const room = copyRoom(stored);
  room.occupants = room.occupants.filter((o) => o.jid !== jid);
  const empty = room.occupants.length === 0 && !room.config.persistent;
  return { result: { room, occupant }, write: empty ? 'delete' : room };
}
