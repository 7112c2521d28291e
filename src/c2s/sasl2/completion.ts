// XEP-0388 §2.6.1 after a successful exchange: the inline requests are served in the XEPs'
// order — XEP-0198 resumption first; else (or when it fails) XEP-0386 Bind 2 — and XEP-0484
// FAST issues or rotates a token. <success/> carries all their results, then the features.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { Jid } from '../../protocol/jid.js';
import type { StanzaError } from '../../protocol/stanza-error.js';
import type { Logger } from '../../util/logger.js';
import type { FastToken } from '../../storage/types.js';
import type { C2sContext } from '../c2s-context.js';
import { ClientSession } from '../client-session.js';
import { featuresElement } from '../features.js';
import { bind2Resource, bound } from './bind2.js';
import { successElement, type AuthenticateRequest, type UserAgent } from './elements.js';
import { fastAfterLogin } from './fast.js';

/** What completion needs from the connection it runs on. */
export interface Sasl2Connection {
  readonly ctx: C2sContext;
  readonly log: Logger;
  readonly account: Jid;
  send(element: Element): void;
  /** XEP-0198 resume; the <failed/> to report, or undefined once resumed (or the stream failed). */
  resume(request: Element, announce: (resumed: Element, session: ClientSession) => Element[]): Promise<Element | undefined>;
  /** Binds a session to the connection, or says why not. */
  establish(jid: Jid, userAgent: UserAgent | undefined): Promise<ClientSession | StanzaError>;
  /** The post-authentication features (legacy bind), for a client that bound nothing inline. */
  sendFeatures(): Promise<void>;
  /** XEP-0484 token mechanisms usable on this connection. */
  tokenMechanisms: readonly string[];
  /** The stored XEP-0484 token this login authenticated with, if it used one. */
  usedToken: FastToken | undefined;
}

export async function completeSasl2(conn: Sasl2Connection, request: AuthenticateRequest, mechanism: string, additionalData: Buffer | undefined): Promise<void> {
  const { ctx, account } = conn;
  const inline = (name: string, ns: string): Element | undefined => request.inline.find((e) => e.name === name && e.attrs.xmlns === ns);
  const token = await fastAfterLogin(ctx, account, request, mechanism, conn.tokenMechanisms, conn.usedToken);
  const results: Element[] = token ? [token] : [];

  const resumeRequest = inline('resume', NS.sm);
  if (resumeRequest) {
    const refusal = await conn.resume(resumeRequest, (resumed, session) => [
      successElement(additionalData, session.jid.toString(), [resumed, ...results]),
      featuresElement([]),
    ]);
    if (refusal === undefined) return; // resumed (XEP-0386: the bind request is then ignored), or failed
    results.push(refusal);
  }

  const bindRequest = inline('bind', NS.bind2);
  const established = bindRequest ? await conn.establish(bind2Resource(account, bindRequest, () => ctx.ids.next()), request.userAgent) : undefined;
  const session = established instanceof ClientSession ? established : undefined;
  if (session && bindRequest) {
    const enabled: Element[] = [];
    const smEnable = bindRequest.getChild('enable', NS.sm);
    if (smEnable) enabled.push(session.sm.enable(smEnable));
    await ctx.events.fire('session/inline-enable', { session, request: bindRequest, results: enabled });
    results.push(bound(enabled));
  }
  // Bound to nothing (none asked, or no room): the client gets the legacy bind features.
  conn.send(successElement(additionalData, (session?.jid ?? account).toString(), results));
  if (!session) return conn.sendFeatures();
  conn.send(featuresElement([]));
  conn.log.info('resource bound');
  await ctx.events.fire('session/bound', { session });
}
