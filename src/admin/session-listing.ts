// `sessions.list` on the admin socket (`herald sessions`): the client sessions bound on this
// node, with what an operator asks about a login: where from, since when, which mechanism,
// stream management, and the XEP-0388 user agent (its id only as the hash Herald keeps).
import type { LocalSession } from '../core/sessions/session.js';
import { tryParseJid } from '../protocol/jid.js';
import { SESSION_FACT_FLAGS } from '../c2s/session-facts.js';
import { USER_AGENT_FLAGS } from '../c2s/sasl2/user-agent.js';

export interface SessionListing {
  jid: string;
  node: string;
  address: string;
  /** ISO 8601, when the session was bound. */
  since: string | null;
  /** XEP-0198 enabled on the session. */
  sm: boolean;
  mechanism: string | null;
  userAgent: { software: string | null; device: string | null; id: string } | null;
}

/**
 * `filter`: a domain, a bare JID (every resource of the account) or a full JID; undefined lists
 * all. Throws with a message for the operator when it is not a JID.
 */
export function listSessions(sessions: Iterable<LocalSession>, filter: unknown): SessionListing[] {
  const match = matcher(filter);
  const listed: SessionListing[] = [];
  for (const session of sessions) {
    if (!match(session.jid.toString(), session.jid.toBareString(), session.jid.domain)) continue;
    const { flags } = session;
    const id = flags[USER_AGENT_FLAGS.id];
    listed.push({
      jid: session.jid.toString(),
      node: session.ref().nodeId,
      address: session.remoteAddress,
      since: flags[SESSION_FACT_FLAGS.since] ?? null,
      sm: session.confirmsDelivery,
      mechanism: flags[SESSION_FACT_FLAGS.mechanism] ?? null,
      userAgent: id === undefined ? null : { software: flags[USER_AGENT_FLAGS.software] ?? null, device: flags[USER_AGENT_FLAGS.device] ?? null, id },
    });
  }
  return listed.sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
}

function matcher(filter: unknown): (full: string, bare: string, domain: string) => boolean {
  if (filter === undefined || filter === null || filter === '') return () => true;
  const jid = typeof filter === 'string' ? tryParseJid(filter) : undefined;
  if (!jid) throw new Error(`'${String(filter)}' is neither a domain nor a JID`);
  if (jid.resource !== '') return (full) => full === jid.toString();
  if (jid.local !== '') return (_, bare) => bare === jid.toBareString();
  return (_, __, domain) => domain === jid.domain;
}
