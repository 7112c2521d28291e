// XEP-0045 §7.2.12–§7.2.15: the discussion history a joining occupant gets (from the room's
// archive, stored under the room's JID), each message with a <delay/> by the room, then the subject.
import { xml, type Element } from '../../xml/element.js';
import { buildElement } from '../../xml/element-builder.js';
import { NS } from '../../xml/ns.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { ArchivedMessage, MucOccupant, MucRoom } from '../../storage/types.js';
import type { RoomContext } from './room-context.js';

export interface HistoryRequest {
  maxStanzas?: number | undefined;
  maxChars?: number | undefined;
  /** Milliseconds since the epoch: nothing older. */
  since?: number | undefined;
}

function count(history: Element, name: string): number | undefined {
  const value = history.attrs[name] as string | undefined;
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new StanzaError('bad-request', `<history ${name}='…'/> must be a non-negative integer, not '${value}'`);
  return Number(value);
}

/** The <history/> inside the join's <x xmlns='…muc'/>; a bad attribute is a bad-request naming it. */
export function readHistoryRequest(history: Element | undefined, now: number): HistoryRequest {
  if (!history) return {};
  const request: HistoryRequest = { maxStanzas: count(history, 'maxstanzas'), maxChars: count(history, 'maxchars') };
  const seconds = count(history, 'seconds');
  if (seconds !== undefined) request.since = now - seconds * 1000;
  const since = history.attrs.since as string | undefined;
  if (since !== undefined) {
    const at = Date.parse(since);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(since) || Number.isNaN(at)) throw new StanzaError('bad-request', `<history since='…'/> must be a XEP-0082 date-time, not '${since}'`);
    request.since = Math.max(request.since ?? at, at);
  }
  return request;
}

/** §7.2.13 maxchars counts the characters of the whole stanzas sent: keep the newest that fit. */
function withinChars(messages: ArchivedMessage[], maxChars: number | undefined): ArchivedMessage[] {
  if (maxChars === undefined) return messages;
  let total = 0;
  let from = messages.length;
  while (from > 0 && total + messages[from - 1]!.stanza.length <= maxChars) total += messages[--from]!.stanza.length;
  return messages.slice(from);
}

export async function sendHistory(rooms: RoomContext, room: MucRoom, to: MucOccupant, request: HistoryRequest): Promise<void> {
  const max = Math.min(request.maxStanzas ?? room.config.historyLength, room.config.historyLength);
  if (max > 0) {
    const page = await rooms.ctx.storage.archive.query(room.jid, { max, fromEnd: true, ...(request.since !== undefined ? { start: request.since } : {}) });
    for (const archived of withinChars(page?.messages ?? [], request.maxChars)) {
      const message = buildElement(archived.stanza);
      message.attrs.to = to.jid;
      message.append(xml('delay', { xmlns: NS.delay, from: room.jid, stamp: new Date(archived.timestamp).toISOString() }));
      await rooms.send(message);
    }
  }
  await rooms.send(subjectMessage(room, to.jid));
}

/** §8.1 / §7.2.15: the subject, from the occupant who set it (an empty <subject/> when none). */
export function subjectMessage(room: MucRoom, to: string): Element {
  const from = room.subject?.nick ? `${room.jid}/${room.subject.nick}` : room.jid;
  return xml('message', { type: 'groupchat', from, to, id: `subject-${room.createdAt}` }, xml('subject', null, room.subject?.text ?? ''));
}
