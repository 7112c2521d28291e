// Namespaces of XEP-0045 and of the XEPs rooms speak alongside it.
export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
export const NS_ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
export const NS_ROOMINFO = 'http://jabber.org/protocol/muc#roominfo';
/** XEP-0421 Anonymous unique occupant identifiers. */
export const NS_OCCUPANT_ID = 'urn:xmpp:occupant-id:0';
/** XEP-0410 MUC Self-Ping: the service answers pings to an occupant itself. */
export const NS_SELF_PING = 'http://jabber.org/protocol/muc#self-ping-optimization';
/** XEP-0249 Direct MUC Invitations. */
export const NS_CONFERENCE = 'jabber:x:conference';
/** XEP-0045 §15.2: the room's stable ids (XEP-0359 stanza-id by the room). */
export const NS_STABLE_ID = 'http://jabber.org/protocol/muc#stable_id';
