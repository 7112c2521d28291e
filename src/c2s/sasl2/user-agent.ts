// The XEP-0388 <user-agent/> a session logged in with, kept in its registry flags so any node
// (and `herald` session listings) can see which software and device it is. The id itself is a
// long-lived client secret (FAST binds tokens to it): only a hash of it is kept.
import { createHash } from 'node:crypto';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { C2sContext } from '../c2s-context.js';
import type { UserAgent } from './elements.js';

export const USER_AGENT_FLAGS = { id: 'sasl2.ua', software: 'sasl2.software', device: 'sasl2.device' } as const;

/** The stable key of a client installation: a hash of its user-agent id. */
export function userAgentKey(agent: UserAgent): string {
  return idHash(agent.id);
}

function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url').slice(0, 22);
}

export function userAgentFlags(agent: UserAgent): Record<string, string> {
  const flags: Record<string, string> = { [USER_AGENT_FLAGS.id]: idHash(agent.id) };
  if (agent.software) flags[USER_AGENT_FLAGS.software] = agent.software;
  if (agent.device) flags[USER_AGENT_FLAGS.device] = agent.device;
  return flags;
}

/** XEP-0386 §2.2: another session of the same client installation (to be replaced). */
export function sameClient(ref: SessionRef, agent: UserAgent): boolean {
  return ref.flags[USER_AGENT_FLAGS.id] === idHash(agent.id);
}

/** XEP-0386 §2.2: a client that binds anew has given up its earlier sessions. */
export async function replaceEarlierSessions(ctx: C2sContext, session: LocalSession, agent: UserAgent): Promise<void> {
  for (const ref of await ctx.sessions.byBareJid(session.jid.toBareString())) {
    if (ref.id !== session.id && sameClient(ref, agent)) {
      await ctx.delivery.closeSession(ref, 'conflict', 'replaced by a new session of the same client');
    }
  }
}
