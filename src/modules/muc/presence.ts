// Presence to room@service/nick: entering (§7.2), changing nick (§7.6) or status (§7.7), and
// leaving (§7.14). The decision runs in storage (join-decision.ts); this file does the talking.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError, errorReply } from '../../protocol/stanza-error.js';
import type { MucRoom } from '../../storage/types.js';
import { decideJoin, decideLeave, joinFilter, type JoinOutcome } from './join-decision.js';
import { changeRoom, occupantsAt, type LiveRoom } from './room-store.js';
import { broadcastPresence, keptPresenceChildren, occupantPresence } from './occupant-presence.js';
import { readHistoryRequest, sendHistory, type HistoryRequest } from './history.js';
import { NS_MUC } from './namespaces.js';
import { broadcastsPresenceOf, sessionsOf } from './room-state.js';
import type { RoomContext } from './room-context.js';

async function creationRefused(rooms: RoomContext, service: string, bare: string): Promise<StanzaError | undefined> {
  const owned = (await rooms.ctx.storage.muc.list(service)).filter((room) => room.creator === bare).length;
  if (owned < rooms.options.maxRoomsPerUser) return undefined;
  return new StanzaError('policy-violation', `you may create at most ${rooms.options.maxRoomsPerUser} rooms here; destroy one first`);
}

async function announceJoin(rooms: RoomContext, outcome: Extract<JoinOutcome, { kind: 'joined' }>, room: LiveRoom, history: HistoryRequest): Promise<void> {
  const { occupant, created } = outcome;
  // A room created again under an old name does not inherit the old room's vCard (XEP-0486).
  if (created) await rooms.ctx.storage.vcards.deleteAccount(room.jid);
  // §7.2.3: the others' presence first, the newcomer's own last (status 110 tells it apart).
  // §10.2 muc#roomconfig_presencebroadcast: only the roles the room broadcasts.
  // One presence per nick: an occupant in the room from several clients is one occupant.
  const seen = new Set([occupant.nick]);
  for (const other of room.occupants) {
    if (seen.has(other.nick) || !broadcastsPresenceOf(room, other.role)) continue;
    seen.add(other.nick);
    await rooms.send(occupantPresence(rooms, room, other, occupant));
  }
  const selfCodes = [...(room.config.whois === 'anyone' ? ['100'] : []), '170', ...(created ? ['201'] : [])];
  await broadcastPresence(rooms, room, occupant, { selfCodes });
  await sendHistory(rooms, room, occupant, history);
}

/** The room with its occupants as the change left them (from the cache the change moved forward). */
async function withOccupants(rooms: RoomContext, room: MucRoom, stamp: string): Promise<LiveRoom> {
  return { ...room, occupants: stamp === '' ? [] : [...(await occupantsAt(rooms, room.jid, stamp))] };
}

async function leave(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const roomJid = event.to.toBareString();
  const jid = event.from.toString();
  const { result: left, stampAfter } = await changeRoom(rooms, roomJid, (state) => decideLeave(state, jid), { jid, nick: '' });
  if (!left) return;
  const room = await withOccupants(rooms, left.room, stampAfter);
  // While another client of the same user stays under the nick, only the leaving one hears of it.
  if (sessionsOf(room, left.occupant.nick).length > 0) await rooms.send(occupantPresence(rooms, room, left.occupant, left.occupant, { type: 'unavailable' }));
  else await broadcastPresence(rooms, room, left.occupant, { type: 'unavailable' });
}

async function enter(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, from, to } = event;
  const muc = stanza.getChild('x', NS_MUC);
  const roomJid = to.toBareString();
  const bare = from.toBareString();
  const now = rooms.ctx.clock.now();
  let history: HistoryRequest;
  try {
    history = readHistoryRequest(muc?.getChild('history'), now);
  } catch (error) {
    const reply = errorReply(stanza, error as StanzaError);
    if (reply) await rooms.send(reply);
    return;
  }
  // Counted before the atomic update (a list cannot run inside it): two creations at the very
  // same moment may pass the limit by one.
  const refused = (await rooms.ctx.storage.muc.get(roomJid)) ? undefined : await creationRefused(rooms, to.domain, bare);
  const request = {
      roomJid,
      nick: to.resource,
      jid: from.toString(),
      bare,
      presence: keptPresenceChildren(stanza),
      password: muc?.getChildText('password') ?? undefined,
      occupantId: rooms.occupantId(roomJid, bare),
      now,
      creationRefused: refused,
      options: rooms.options,
      node: rooms.ctx.delivery.nodeId,
    };
  const { result: outcome, stampAfter } = await changeRoom(rooms, roomJid, (state) => decideJoin(state, request), joinFilter(request));
  if (outcome.kind === 'error') {
    const reply = errorReply(stanza, outcome.error);
    if (reply) await rooms.send(reply);
    return;
  }
  const room = await withOccupants(rooms, outcome.room, stampAfter);
  if (outcome.kind === 'joined') {
    await announceJoin(rooms, outcome, room, history);
  } else if (outcome.kind === 'updated') {
    await broadcastPresence(rooms, room, outcome.occupant);
  } else {
    // §7.6.3: unavailable with 303 and the new nick under the old one, then presence under the new one.
    await broadcastPresence(rooms, room, outcome.before, { type: 'unavailable', codes: ['303'], newNick: outcome.occupant.nick });
    await broadcastPresence(rooms, room, outcome.occupant);
  }
}

export async function handleOccupantPresence(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const type = event.stanza.attrs.type as string | undefined;
  if (type === 'unavailable') return leave(rooms, event);
  if (type === undefined) return enter(rooms, event);
  // Subscriptions, probes and errors are not for rooms.
}
