// Directed presence (RFC 6121 §4.6): presence a local session addresses to one entity. Entities
// that do not get the session's broadcasts are remembered so they hear when it goes away.
import type { StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import { isSubscriber } from './roster-view.js';

/** session.data key: the JIDs (as strings) this session sent available directed presence to. */
const DIRECTED = Symbol('presence.directed');

function targetsOf(session: LocalSession): Set<string> {
  let targets = session.data.get(DIRECTED) as Set<string> | undefined;
  if (!targets) session.data.set(DIRECTED, (targets = new Set()));
  return targets;
}

/** The remembered targets, forgotten as they are returned (the caller tells them it is leaving). */
export function takeDirectedTargets(session: LocalSession): string[] {
  const targets = session.data.get(DIRECTED) as Set<string> | undefined;
  session.data.delete(DIRECTED);
  return targets ? [...targets] : [];
}

/** §4.6.2: routes directed available/unavailable presence; other types are not ours. */
export async function handleDirected(ctx: ModuleContext, event: StanzaEvent): Promise<boolean> {
  const { stanza, origin, to } = event;
  const type = stanza.attrs.type;
  if (!origin || (type !== undefined && type !== 'unavailable')) return false;
  const target = to.toString();
  if (type === 'unavailable') {
    // The entity has been told; nothing more is owed to it at logout.
    targetsOf(origin).delete(target);
  } else if (!to.bare.equals(origin.jid.bare) && !(await isSubscriber(ctx, origin.jid.bare, to))) {
    // Subscribers (and the user's own resources) get the broadcast unavailable anyway.
    targetsOf(origin).add(target);
  }
  // Without an origin the router skips the pre- hooks and delivers it (locally or remotely).
  await ctx.router.route(stanza);
  return true;
}
