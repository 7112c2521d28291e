// IQs to an occupant JID (room@service/nick), as Prosody and ejabberd pass them on: from an
// occupant, forwarded to the target occupant's real JID (vCard requests to its bare JID, where
// the account's vCard lives) from the sender's occupant JID, so real JIDs stay hidden in a
// semi-anonymous room; the answer comes back to that occupant JID and goes to the sender from the
// target's occupant JID. The sender, its id and the target's nick travel inside the forwarded
// id, signed, so any node can route the answer and nobody can forge one to a third party.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { cloneElement } from '../../xml/element.js';
import type { MucOccupant } from '../../storage/types.js';
import { bareOf } from './room-state.js';
import type { LiveRoom } from './room-store.js';
import type { RoomContext } from './room-context.js';

const NS_VCARD = 'vcard-temp';

interface Forwarded {
  /** The sender's real full JID, its IQ id, and the nick it addressed. */
  sender: string;
  id: string;
  nick: string;
}

function sign(secret: string, text: string): string {
  return createHmac('sha256', secret).update(`muc-iq\n${text}`).digest('base64url').slice(0, 16);
}

export function forwardedId(secret: string, forwarded: Forwarded): string {
  const body = Buffer.from(JSON.stringify([forwarded.sender, forwarded.id, forwarded.nick])).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The forwarded IQ's origin, or undefined for an id this service did not make. */
export function readForwardedId(secret: string, id: string | undefined): Forwarded | undefined {
  const [body, mac] = (id ?? '').split('.');
  if (!body || !mac) return undefined;
  const expected = Buffer.from(sign(secret, body));
  if (expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) return undefined;
  const [sender, original, nick] = JSON.parse(Buffer.from(body, 'base64url').toString()) as [string, string, string];
  return { sender, id: original, nick };
}

/** A get or set from occupant `sender` to occupant `target`: on to the target's real JID. */
export async function forwardIq(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, sender: MucOccupant, target: MucOccupant): Promise<void> {
  const { stanza } = event;
  const iq = cloneElement(stanza);
  const payload = stanza.getChildElements()[0];
  const toBare = payload?.name === 'vCard' && payload.attrs.xmlns === NS_VCARD;
  iq.attrs.from = `${room.jid}/${sender.nick}`;
  iq.attrs.to = toBare ? bareOf(target.jid) : target.jid;
  iq.attrs.id = forwardedId(rooms.iqSecret, { sender: event.from.toString(), id: String(stanza.attrs.id ?? ''), nick: target.nick });
  await rooms.send(iq);
}

/** A result or error coming back to `room/nick` for an IQ forwarded from that occupant. */
export async function returnIqAnswer(rooms: RoomContext, event: StanzaEvent, room: LiveRoom): Promise<void> {
  const forwarded = readForwardedId(rooms.iqSecret, event.stanza.attrs.id as string | undefined);
  // Only the occupant it was sent to answers it, and only to an occupant still in the room.
  const answerer = forwarded && room.occupants.find((o) => o.nick === forwarded.nick && bareOf(o.jid) === event.from.toBareString());
  if (!forwarded || !answerer || !room.occupants.some((o) => o.jid === forwarded.sender && o.nick === event.to.resource)) return;
  const answer = cloneElement(event.stanza);
  answer.attrs.from = `${room.jid}/${forwarded.nick}`;
  answer.attrs.to = forwarded.sender;
  answer.attrs.id = forwarded.id;
  await rooms.send(answer);
}

export function notAnOccupant(): StanzaError {
  return new StanzaError('not-acceptable', 'you are not joined to this room under that nickname', 'cancel');
}
