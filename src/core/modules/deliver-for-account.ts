// Writing a stanza an account sends straight to a local session, without routing it (a fan-out
// paced by ctx.delivery.toSession, e.g. PEP notifications). The router fires `stanza/outbound`
// for everything it routes; this fires it for what skips the router, so a module that vetoes an
// account's outbound stanzas (blocking) sees these too.
import { tryParseJid } from '../../protocol/jid.js';
import type { Element } from '../../xml/element.js';
import type { SessionRef } from '../sessions/session-ref.js';
import type { ModuleContext } from './module.js';

/**
 * Resolves as ctx.delivery.toSession does (false: the session did not take it, e.g. it ended). A
 * vetoed stanza resolves true: it is dealt with and the session is fine, so a fan-out goes on.
 */
export async function deliverForAccount(ctx: ModuleContext, ref: SessionRef, stanza: Element): Promise<boolean> {
  const from = tryParseJid(stanza.attrs.from as string | undefined);
  const to = tryParseJid(ref.jid);
  if (from && to && from.local !== '' && ctx.hosts.has(from.domain) && !from.bare.equals(to.bare) && (await ctx.fire('stanza/outbound', { stanza, from, to }))) return true;
  return ctx.delivery.toSession(ref, stanza);
}
