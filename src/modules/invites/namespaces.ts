export const INVITE_NS = {
  /** XEP-0445 stream feature. */
  ibrToken: 'urn:xmpp:ibr-token:0',
  /** The stream feature of XEP-0401 before XEP-0445 split off; clients still check it. */
  legacyInvite: 'urn:xmpp:invite',
  /** XEP-0379 / XEP-0445 <preauth token=…/>. */
  pars: 'urn:xmpp:pars:0',
} as const;
