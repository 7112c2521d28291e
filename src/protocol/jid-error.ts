/** An address that is not a valid JID (callers answer jid-malformed). */
export class JidError extends Error {
  override name = 'JidError';
}
