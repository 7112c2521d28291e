// XEP-0227 Portable Import/Export Format: the names both versions use. Version 1.1 (Prosody,
// ejabberd, Herald's exports) is `urn:xmpp:pie:0`; the original namespace is still read.
export const PIE = {
  ns: 'urn:xmpp:pie:0',
  legacyNs: 'http://www.xmpp.org/extensions/xep-0227.html#ns',
  scram: 'urn:xmpp:pie:0#scram',
  mam: 'urn:xmpp:pie:0#mam',
  xinclude: 'http://www.w3.org/2001/XInclude',
  pubsub: 'http://jabber.org/protocol/pubsub',
  pubsubOwner: 'http://jabber.org/protocol/pubsub#owner',
  roster: 'jabber:iq:roster',
  privateXml: 'jabber:iq:private',
  vcard: 'vcard-temp',
  forward: 'urn:xmpp:forward:0',
  mam2: 'urn:xmpp:mam:2',
} as const;
