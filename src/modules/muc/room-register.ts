// XEP-0045 §7.10 registering with a room (jabber:iq:register at the room JID, FORM_TYPE
// muc#register): a user reserves a nick and becomes a member. In a members-only room only those
// already members (or above) may register, since registering would otherwise open the door; a
// banned user never may. The reserved nick is then refused to others on entering (§7.2.9), and
// the user finds it with a disco#info query on node x-roomuser-item (§7.11).
import type { StanzaEvent } from '../../core/events.js';
import { fillableForm, submittedValues } from '../../protocol/data-form.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { affiliationOf, affiliationRank, copyRoom, nickTakenByOther } from './room-state.js';
import { updateLiveRoom, type LiveRoom } from './room-store.js';
import type { RoomContext } from './room-context.js';

export const NS_REGISTER = 'jabber:iq:register';
const NS_MUC_REGISTER = 'http://jabber.org/protocol/muc#register';

function registrationForm(): Element {
  return fillableForm(NS_MUC_REGISTER, 'Register with this room', [{ var: 'muc#register_roomnick', label: 'Nickname', values: [] }]);
}

/** §7.10.1: the form, or <registered/> with the nick already reserved. */
function answerGet(room: LiveRoom, bare: string): Element {
  const entry = room.affiliations[bare];
  if (entry && affiliationRank(entry.affiliation) >= affiliationRank('member') && entry.nick) {
    return xml('query', { xmlns: NS_REGISTER }, xml('registered'), xml('username', null, entry.nick));
  }
  return xml('query', { xmlns: NS_REGISTER }, xml('instructions', null, 'Choose the nickname to reserve in this room; you become a member.'), registrationForm());
}

function requestedNick(query: Element): string {
  const form = query.getChild('x', NS.dataForms);
  if (!form || form.attrs.type !== 'submit') throw new StanzaError('bad-request', 'submit the muc#register form with muc#register_roomnick');
  const values = submittedValues(form);
  if (values.get('FORM_TYPE')?.[0] !== NS_MUC_REGISTER) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_MUC_REGISTER}`);
  const nick = values.get('muc#register_roomnick')?.[0]?.trim() ?? '';
  if (nick === '') throw new StanzaError('not-acceptable', 'muc#register_roomnick is required: the nickname to reserve');
  return nick;
}

export async function answerRoomRegister(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, query: Element): Promise<Element | undefined> {
  const bare = event.from.toBareString();
  if (event.stanza.attrs.type === 'get') return answerGet(room, bare);
  const remove = query.getChild('remove') !== undefined;
  const nick = remove ? '' : requestedNick(query);
  await updateLiveRoom(rooms, room.jid, (stored) => {
    if (!stored) throw new StanzaError('item-not-found', 'the room is gone');
    const affiliation = affiliationOf(stored, bare);
    const next = copyRoom(stored);
    if (remove) {
      // Cancelling a registration gives up membership; owners and admins keep theirs (§7.10.2 is for members).
      if (affiliation === 'member') delete next.affiliations[bare];
      else if (next.affiliations[bare]) next.affiliations[bare] = { ...next.affiliations[bare]!, nick: undefined };
      return { result: undefined, write: next };
    }
    if (affiliation === 'outcast') throw new StanzaError('forbidden', 'you are banned from this room');
    if (stored.config.membersOnly && affiliationRank(affiliation) < affiliationRank('member')) {
      throw new StanzaError('registration-required', 'this room is members-only: an admin must make you a member before you can register a nickname');
    }
    const inUse = stored.occupants.filter((o) => o.nick === nick);
    if (nickTakenByOther(stored, inUse, nick, bare)) throw new StanzaError('conflict', `the nickname '${nick}' is in use or reserved by someone else in this room`);
    // Owners and admins keep their affiliation and only reserve the nick.
    next.affiliations[bare] = { ...next.affiliations[bare], affiliation: affiliation === 'none' ? 'member' : affiliation, nick };
    return { result: undefined, write: next };
  });
  return undefined;
}

/** §7.11: disco#info on node x-roomuser-item names the user's reserved nick (nothing when none). */
export function reservedNickInfo(room: LiveRoom, bare: string): Element {
  const nick = room.affiliations[bare]?.nick;
  return xml('query', { xmlns: NS.discoInfo, node: 'x-roomuser-item' }, nick ? xml('identity', { category: 'conference', type: 'text', name: nick }) : null);
}
