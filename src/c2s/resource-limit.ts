// limits.maxResourcesPerAccount (RFC 6120 §7.6.2.1): one bind more than allowed gets
// <resource-constraint/>. Binding a full JID already in use replaces that session, so it does not
// count twice. A hibernating XEP-0198 session (no connection, waiting to be resumed) gives way
// first: ending it sends its queue to offline storage like any other end, and a device that is
// here beats one that may never come back.
import type { Jid } from '../protocol/jid.js';
import { StanzaError } from '../protocol/stanza-error.js';
import type { C2sContext } from './c2s-context.js';
import { ClientSession } from './client-session.js';

/** Undefined when `jid` may be bound now; otherwise the error to answer the bind with. */
export async function makeRoomForResource(ctx: C2sContext, jid: Jid): Promise<StanzaError | undefined> {
  const max = ctx.config.limits.maxResourcesPerAccount;
  const full = jid.toString();
  const bare = jid.toBareString();
  // Each round ends one session; the bound keeps a registry that does not shrink from looping.
  for (let round = 0; round <= max; round++) {
    const others = (await ctx.sessions.byBareJid(bare)).filter((ref) => ref.jid !== full);
    if (others.length < max) return undefined;
    // Oldest first: the registry lists an account's sessions in the order they were bound.
    // Only sessions on this node can be seen to hibernate.
    const sleeper = others.map((ref) => ctx.delivery.local.get(ref.id)).find((s): s is ClientSession => s instanceof ClientSession && !s.attached);
    if (!sleeper) break;
    sleeper.log.info({ for: full }, 'ending a hibernating session to make room for a new resource');
    await sleeper.end('replaced by a new resource (limits.maxResourcesPerAccount)');
  }
  return new StanzaError('resource-constraint', `${bare} already has the most resources allowed (at most ${max} resources per account); close one and try again`);
}
