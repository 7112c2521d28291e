// limits.maxResourcesPerAccount (RFC 6120 §7.6.2.1): one bind more than allowed gets
// <resource-constraint/>. Binding a full JID already in use replaces that session, so it does not
// count twice. A hibernating XEP-0198 session (no connection, waiting to be resumed) gives way
// first: ending it sends its queue to offline storage like any other end, and a device that is
// here beats one that may never come back. With several nodes, a session hibernating on another
// node says so in its registry record, and its node is asked to end it.
import type { Jid } from '../protocol/jid.js';
import { StanzaError } from '../protocol/stanza-error.js';
import type { C2sContext } from './c2s-context.js';
import { ClientSession, HIBERNATING_FLAG } from './client-session.js';
import type { SessionRef } from '../core/sessions/session-ref.js';

/** How long to wait for a hibernating session on another node to leave the registry. */
const REMOTE_END_WAIT_MS = 3_000;
const REMOTE_END_POLL_MS = 50;

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
    const sleeper = others.find((ref) => ref.flags[HIBERNATING_FLAG] === '1' || isLocalSleeper(ctx, ref.id));
    if (!sleeper) break;
    const local = ctx.delivery.local.get(sleeper.id);
    if (local instanceof ClientSession) {
      local.log.info({ for: full }, 'ending a hibernating session to make room for a new resource');
      await local.end('replaced by a new resource (limits.maxResourcesPerAccount)');
    } else if (!(await endRemote(ctx, bare, sleeper))) break;
  }
  return new StanzaError('resource-constraint', `${bare} already has the most resources allowed (at most ${max} resources per account); close one and try again`);
}

function isLocalSleeper(ctx: C2sContext, id: string): boolean {
  const session = ctx.delivery.local.get(id);
  return session instanceof ClientSession && !session.attached;
}

/** Asks the session's node to end it (its queue goes to offline storage there) and waits until it has. */
async function endRemote(ctx: C2sContext, bare: string, ref: Readonly<SessionRef>): Promise<boolean> {
  await ctx.delivery.closeSession(ref, 'resource-constraint', 'replaced by a new resource (limits.maxResourcesPerAccount)');
  const deadline = Date.now() + REMOTE_END_WAIT_MS;
  while (Date.now() < deadline) {
    if (!(await ctx.sessions.byBareJid(bare)).some((other) => other.id === ref.id)) return true;
    await new Promise((resolve) => setTimeout(resolve, REMOTE_END_POLL_MS));
  }
  return false;
}
