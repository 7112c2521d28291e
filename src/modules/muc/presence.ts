// Presence to room@service/nick: entering (§7.2), changing nick (§7.6) or status (§7.7), and
// leaving (§7.14). The decision runs in storage (join-decision.ts); this file does the talking.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError, errorReply } from '../../protocol/stanza-error.js';
import type { MucRoom } from '../../storage/types.js';
import { decideJoin, decideLeave, type JoinOutcome } from './join-decision.js';
import { broadcastPresence, keptPresenceChildren, occupantPresence } from './occupant-presence.js';
import { readHistoryRequest, sendHistory, type HistoryRequest } from './history.js';
import { NS_MUC } from './namespaces.js';
import type { RoomContext } from './room-context.js';

async function creationRefused(rooms: RoomContext, service: string, bare: string): Promise<StanzaError | undefined> {
  const owned = (await rooms.ctx.storage.muc.list(service)).filter((room) => room.creator === bare).length;
  if (owned < rooms.options.maxRoomsPerUser) return undefined;
  return new StanzaError('policy-violation', `you may create at most ${rooms.options.maxRoomsPerUser} rooms here; destroy one first`);
}

async function announceJoin(rooms: RoomContext, outcome: Extract<JoinOutcome, { kind: 'joined' }>, history: HistoryRequest): Promise<void> {
  const { room, occupant, created } = outcome;
  // §7.2.3: the others' presence first, the newcomer's own last (status 110 tells it apart).
  for (const other of room.occupants) if (other.jid !== occupant.jid) await rooms.send(occupantPresence(rooms, room, other, occupant));
  const selfCodes = [...(room.config.whois === 'anyone' ? ['100'] : []), '170', ...(created ? ['201'] : [])];
  await broadcastPresence(rooms, room, occupant, { selfCodes });
  await sendHistory(rooms, room, occupant, history);
}

async function leave(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const left = await rooms.ctx.storage.muc.update(event.to.toBareString(), (room) => decideLeave(room, event.from.toString()));
  if (left) await broadcastPresence(rooms, left.room, left.occupant, { type: 'unavailable' });
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
  const outcome = await rooms.ctx.storage.muc.update(roomJid, (room: MucRoom | undefined) =>
    decideJoin(room, {
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
    }),
  );
  if (outcome.kind === 'error') {
    const reply = errorReply(stanza, outcome.error);
    if (reply) await rooms.send(reply);
  } else if (outcome.kind === 'joined') {
    await announceJoin(rooms, outcome, history);
  } else if (outcome.kind === 'updated') {
    await broadcastPresence(rooms, outcome.room, outcome.occupant);
  } else {
    // §7.6.3: unavailable with 303 and the new nick under the old one, then presence under the new one.
    await broadcastPresence(rooms, outcome.room, outcome.before, { type: 'unavailable', codes: ['303'], newNick: outcome.occupant.nick });
    await broadcastPresence(rooms, outcome.room, outcome.occupant);
  }
}

export async function handleOccupantPresence(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const type = event.stanza.attrs.type as string | undefined;
  if (type === 'unavailable') return leave(rooms, event);
  if (type === undefined) return enter(rooms, event);
  // Subscriptions, probes and errors are not for rooms.
}
