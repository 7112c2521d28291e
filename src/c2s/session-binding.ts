// After authentication, before stanzas: binding a resource (RFC 6120 §7, or Bind 2 through
// sasl2/completion.ts) or taking over an earlier session (XEP-0198 §5). Split from
// client-connection.ts, which keeps the socket, the queue and the negotiation state.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import type { Jid } from '../protocol/jid.js';
import { StreamError } from '../protocol/stream-error.js';
import { StanzaError, errorReply } from '../protocol/stanza-error.js';
import { compactBindings, type Logger } from '../util/logger.js';
import type { C2sContext } from './c2s-context.js';
import { bindResult, chooseResource, isBindRequest, isSessionRequest } from './bind.js';
import { makeRoomForResource } from './resource-limit.js';
import { sessionFacts } from './session-facts.js';
import { ClientSession, type SessionTransport } from './client-session.js';
import { replaceEarlierSessions, userAgentFlags } from './sasl2/user-agent.js';
import type { UserAgent } from './sasl2/elements.js';
import { failed } from '../stream/stream-management/nonzas.js';
import { parseCounter } from '../stream/stream-management/counter.js';

/** What binding and resumption need from the authenticated connection they run on. */
export interface BindingConnection extends SessionTransport {
  readonly ctx: C2sContext;
  readonly log: Logger;
  /** The SASL mechanism the account authenticated with. */
  readonly mechanism: string | undefined;
  readonly transport: string;
  send(element: Element): void;
  /** From now on the connection hands its stanzas to `session` (undefined: to none). */
  carry(session: ClientSession | undefined): void;
  /** Negotiation is over: drop what only it needed; `log`: go on with the resumed session's logger. */
  negotiated(log?: Logger): void;
}

/** An element on an authenticated stream with no session yet: bind, legacy session, or resume. */
export async function onBindStage(conn: BindingConnection, account: Jid, element: Element): Promise<void> {
  if (isSessionRequest(element)) {
    conn.send(xml('iq', { type: 'result', id: element.attrs.id }));
    return;
  }
  if (element.attrs.xmlns === NS.sm) {
    if (element.name === 'resume') {
      const refusal = await resumeSession(conn, account, element);
      if (refusal) conn.send(refusal);
      return;
    }
    // XEP-0198 §3: enable only after binding.
    conn.send(failed('unexpected-request', undefined, 'bind a resource first'));
    return;
  }
  if (!isBindRequest(element)) {
    conn.fail(new StreamError('not-authorized', 'bind a resource first'));
    return;
  }
  let jid: Jid;
  try {
    jid = chooseResource(account, element.getChild('bind', NS.bind)!, () => conn.ctx.ids.next());
  } catch (error) {
    if (!(error instanceof StanzaError)) throw error;
    const reply = errorReply(element, error);
    if (reply) conn.send(reply);
    return;
  }
  const established = await establishSession(conn, jid);
  if (established instanceof StanzaError) {
    const reply = errorReply(element, established);
    if (reply) conn.send(reply);
    return;
  }
  conn.send(bindResult(element, jid));
  conn.log.info('resource bound');
  await conn.ctx.events.fire('session/bound', { session: established });
}

/** Binds `jid` to the connection (RFC 6120 §7, or Bind 2), or says why it cannot. */
export async function establishSession(conn: BindingConnection, jid: Jid, userAgent?: UserAgent): Promise<ClientSession | StanzaError> {
  const { ctx } = conn;
  const noRoom = await makeRoomForResource(ctx, jid);
  if (noRoom) {
    conn.log.info({ jid: jid.toString() }, 'bind refused: too many resources');
    return noRoom;
  }
  conn.negotiated();
  conn.log.setBindings({ jid: jid.toString() });
  compactBindings(conn.log);
  const session = new ClientSession(ctx, ctx.ids.next(), jid, conn, conn.log);
  Object.assign(session.flags, sessionFacts(ctx.clock.now(), conn.mechanism, conn.transport));
  if (userAgent) Object.assign(session.flags, userAgentFlags(userAgent));
  conn.carry(session);
  ctx.delivery.local.set(session.id, session);
  const replaced = await ctx.sessions.add(session.ref());
  if (replaced) await ctx.delivery.closeSession(replaced, 'conflict', 'replaced by a new session for the same resource');
  if (userAgent) await replaceEarlierSessions(ctx, session, userAgent);
  return session;
}

/**
 * XEP-0198 §5: take over a hibernating (or half-dead) session of the same account. Resolves
 * with the <failed/> to answer when there is nothing to resume; undefined once resumed (or
 * when the stream had to fail).
 */
export async function resumeSession(
  conn: BindingConnection,
  account: Jid,
  element: Element,
  announce?: (resumed: Element, session: ClientSession) => Element[],
): Promise<Element | undefined> {
  const previd = element.attrs.previd ?? '';
  const bare = account.toBareString();
  const session = conn.ctx.resumptions.find(previd, bare);
  const h = parseCounter(element.attrs.h);
  if (!session || h === undefined) {
    // The old session's count, when known, tells the client which of its stanzas arrived.
    const handled = conn.ctx.resumptions.handledByEnded(previd, bare);
    return failed('item-not-found', handled, 'no session to resume; bind a new one');
  }
  // Carried before the takeover completes: what the client sends meanwhile goes to the session.
  conn.carry(session);
  const outcome = await session.resume(conn, h, announce && ((resumed) => announce(resumed, session)));
  if (outcome === 'resumed') {
    conn.negotiated(session.log);
    return undefined;
  }
  conn.carry(undefined);
  if (outcome === 'gone') return failed('item-not-found', undefined, 'the session ended; bind a new one');
  // XEP-0198 §4: acknowledging more than the server sent is fatal.
  conn.fail(new StreamError('undefined-condition', 'handled-count-too-high'));
  return undefined;
}
