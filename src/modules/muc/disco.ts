// XEP-0045 §6: the service's disco#info and #items (public rooms), and each room's disco#info
// with the features that describe it and the muc#roominfo form (XEP-0128).
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { resultForm } from '../../protocol/data-form.js';
import type { MucRoom } from '../../storage/types.js';
import type { LiveRoom } from './room-store.js';
import { NS_MODERATE } from './moderation.js';
import { NS_MUC, NS_OCCUPANT_ID, NS_ROOMINFO, NS_SELF_PING, NS_STABLE_ID } from './namespaces.js';

const NS_MAM = 'urn:xmpp:mam:2';

export function serviceInfo(): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo },
    xml('identity', { category: 'conference', type: 'text', name: 'Chatrooms' }),
    ...[NS.discoInfo, NS.discoItems, NS_MUC, NS_SELF_PING, NS_OCCUPANT_ID].map((v) => xml('feature', { var: v })),
  );
}

/** §6.3: rooms anyone may find (public and already configured or accepted). */
export function serviceItems(rooms: readonly MucRoom[]): Element {
  const listed = rooms.filter((room) => room.config.public && !room.locked);
  return xml('query', { xmlns: NS.discoItems }, ...listed.map((room) => xml('item', { jid: room.jid, name: room.config.name || room.jid.split('@')[0] })));
}

function roomFeatures(room: MucRoom): string[] {
  const c = room.config;
  return [
    NS.discoInfo,
    NS_MUC,
    NS_STABLE_ID,
    NS_SELF_PING,
    NS_OCCUPANT_ID,
    NS_MAM,
    NS.stanzaId,
    NS_MODERATE,
    'vcard-temp',
    'http://jabber.org/protocol/muc#register',
    c.public ? 'muc_public' : 'muc_hidden',
    c.persistent ? 'muc_persistent' : 'muc_temporary',
    c.membersOnly ? 'muc_membersonly' : 'muc_open',
    c.moderated ? 'muc_moderated' : 'muc_unmoderated',
    c.whois === 'anyone' ? 'muc_nonanonymous' : 'muc_semianonymous',
    c.password !== '' ? 'muc_passwordprotected' : 'muc_unsecured',
  ];
}

/** §6.4: the room's identity, features and muc#roominfo form. */
export function roomInfo(room: LiveRoom): Element {
  const c = room.config;
  return xml(
    'query',
    { xmlns: NS.discoInfo },
    xml('identity', { category: 'conference', type: 'text', name: c.name || room.jid.split('@')[0] }),
    ...roomFeatures(room).map((v) => xml('feature', { var: v })),
    resultForm(NS_ROOMINFO, [
      { var: 'muc#roominfo_description', values: [c.description] },
      { var: 'muc#roominfo_occupants', values: [String(room.occupants.length)] },
      { var: 'muc#roominfo_subject', values: [room.subject?.text ?? ''] },
      { var: 'muc#roomconfig_roomname', values: [c.name] },
      { var: 'muc#roomconfig_changesubject', type: 'boolean', values: [c.changeSubject ? '1' : '0'] },
      { var: 'muc#maxhistoryfetch', values: [String(c.historyLength)] },
      { var: 'muc#roomconfig_allowinvites', type: 'boolean', values: [c.allowInvites ? '1' : '0'] },
      // XEP-0486 §3: clients fetch the room's vCard only when this hash is new to them.
      ...(room.avatarHash ? [{ var: 'muc#roominfo_avatarhash', type: 'text-multi' as const, values: [room.avatarHash] }] : []),
    ]),
  );
}
