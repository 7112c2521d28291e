// XEP-0045 §7.8.2 mediated invitations: an occupant asks the room to invite someone; the room
// sends the invitation from itself (with the password) and, in a members-only room where the
// inviter may, makes the invitee a member so the invitation can be used. Declines (§7.8.3) are
// passed back to the inviter.
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { tryParseJid } from '../../protocol/jid.js';
import { xml, type Element } from '../../xml/element.js';
import { NS_MUC_USER } from './namespaces.js';
import { affiliationOf, affiliationRank, copyRoom, occupantByJid } from './room-state.js';
import type { RoomContext } from './room-context.js';
import { loadRoom, updateLiveRoom } from './room-store.js';

async function decline(rooms: RoomContext, event: StanzaEvent, element: Element): Promise<void> {
  const to = tryParseJid(element.attrs.to as string | undefined);
  if (!to) throw new StanzaError('jid-malformed', "a <decline/> names the inviter in 'to'");
  const reason = element.getChildText('reason');
  await rooms.send(
    xml('message', { from: event.to.toBareString(), to: to.toString(), id: rooms.ctx.ids.next() }, xml('x', { xmlns: NS_MUC_USER }, xml('decline', { from: event.from.toBareString() }, reason !== null ? xml('reason', null, reason) : null))),
  );
}

export async function handleMediatedInvite(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const x = event.stanza.getChild('x', NS_MUC_USER)!;
  const declined = x.getChild('decline');
  if (declined) return decline(rooms, event, declined);
  const invites = x.getChildren('invite');
  if (invites.length === 0) throw new StanzaError('bad-request', 'a muc#user message to a room carries <invite/> or <decline/>');
  const room = await loadRoom(rooms, event.to.toBareString());
  if (!room) throw new StanzaError('item-not-found', `there is no room ${event.to.toBareString()}`);
  const inviter = occupantByJid(room, event.from.toString());
  if (!inviter) throw new StanzaError('not-acceptable', 'join the room before inviting others to it');
  const inviterAffiliation = affiliationOf(room, event.from.toBareString());
  const mayInvite = room.config.allowInvites || inviter.role === 'moderator' || affiliationRank(inviterAffiliation) >= affiliationRank('admin');
  if (!mayInvite) throw new StanzaError('forbidden', 'only moderators may invite people to this room');
  for (const invite of invites) {
    const invitee = tryParseJid(invite.attrs.to as string | undefined);
    if (!invitee) throw new StanzaError('jid-malformed', "an <invite/> names the invitee in 'to'");
    if (room.config.membersOnly) {
      const bare = invitee.toBareString();
      await updateLiveRoom(rooms, room.jid, (stored) => {
        if (!stored || affiliationOf(stored, bare) !== 'none') return { result: undefined };
        const next = copyRoom(stored);
        next.affiliations[bare] = { affiliation: 'member' };
        return { result: undefined, write: next };
      });
    }
    const reason = invite.getChildText('reason');
    await rooms.send(
      xml(
        'message',
        { from: room.jid, to: invitee.toString(), id: rooms.ctx.ids.next() },
        xml('x', { xmlns: NS_MUC_USER }, xml('invite', { from: event.from.toBareString() }, reason !== null ? xml('reason', null, reason) : null), room.config.password ? xml('password', null, room.config.password) : null),
      ),
    );
  }
}
