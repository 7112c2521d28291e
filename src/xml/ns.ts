// XML namespaces used across Herald, named after what they are for.
export const NS = {
  client: 'jabber:client',
  server: 'jabber:server',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  saslChannelBinding: 'urn:xmpp:sasl-cb:0',
  /** XEP-0388 Extensible SASL Profile. */
  sasl2: 'urn:xmpp:sasl:2',
  /** XEP-0386 Bind 2. */
  bind2: 'urn:xmpp:bind:0',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  ping: 'urn:xmpp:ping',
  version: 'jabber:iq:version',
  time: 'urn:xmpp:time',
  register: 'jabber:iq:register',
  registerFeature: 'http://jabber.org/features/iq-register',
  xmlns: 'http://www.w3.org/XML/1998/namespace',
  sm: 'urn:xmpp:sm:3',
  stanzaId: 'urn:xmpp:sid:0',
  delay: 'urn:xmpp:delay',
  receipts: 'urn:xmpp:receipts',
  chatMarkers: 'urn:xmpp:chat-markers:0',
  chatStates: 'http://jabber.org/protocol/chatstates',
  hints: 'urn:xmpp:hints',
  msgoffline: 'msgoffline',
  /** XEP-0091 Legacy Delayed Delivery, still sent by some clients. */
  legacyDelay: 'jabber:x:delay',
  /** XEP-0172 User Nickname. */
  nick: 'http://jabber.org/protocol/nick',
  /** XEP-0004 Data Forms. */
  dataForms: 'jabber:x:data',
  /** XEP-0050 Ad-Hoc Commands. */
  adhoc: 'http://jabber.org/protocol/commands',
  /** XEP-0012 Last Activity. */
  last: 'jabber:iq:last',
  /** XEP-0059 Result Set Management. */
  rsm: 'http://jabber.org/protocol/rsm',
  /** RFC 7395 XMPP over WebSocket: <open/> and <close/>. */
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
} as const;
