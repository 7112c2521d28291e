// XEP-0313 for rooms (§5.1.2 "archive at the room's JID"): the room's messages, as occupants saw
// them (from room/nick, never a real JID), queried at the room JID with forms and RSM paging.
// Who may read: anyone who may enter (members and above in a members-only room), never outcasts.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { NS_MAM, mamFin, mamResult, parseQuery } from '../../protocol/mam-query.js';
import type { Element } from '../../xml/element.js';
import type { MucRoom } from '../../storage/types.js';
import { affiliationOf, affiliationRank } from './room-state.js';
import type { RoomContext } from './room-context.js';

const PAGE = { defaultPageSize: 50, maxPageSize: 250 };

function mayRead(room: MucRoom, bare: string): boolean {
  const affiliation = affiliationOf(room, bare);
  if (affiliation === 'outcast') return false;
  return !room.config.membersOnly || affiliationRank(affiliation) >= affiliationRank('member');
}

/** The <fin/> of a room archive query, or null when the payload is not a XEP-0313 query. */
export async function answerRoomArchive(rooms: RoomContext, event: StanzaEvent, room: MucRoom, payload: Element): Promise<Element | null> {
  if (payload.attrs.xmlns !== NS_MAM || payload.name !== 'query' || event.stanza.attrs.type !== 'set') return null;
  if (!mayRead(room, event.from.toBareString())) throw new StanzaError('forbidden', 'only members may read the archive of this members-only room');
  const { query, queryId, flipPage } = parseQuery(payload, PAGE);
  const page = await rooms.ctx.storage.archive.query(room.jid, query);
  if (!page) throw new StanzaError('item-not-found', 'a message id given in the query is not in this room\'s archive');
  const inOrder = flipPage ? [...page.messages].reverse() : page.messages;
  for (const archived of inOrder) await rooms.send(mamResult(room.jid, event.from.toString(), rooms.ctx.ids.next(), queryId, archived));
  return mamFin(page);
}
