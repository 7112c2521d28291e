// What a bound client sends, one element at a time in arrival order: XEP-0198 nonzas go to stream
// management, other nonzas to the modules (`c2s/nonza`), and stanzas are stamped with the
// sender's full JID (RFC 6120 §8.1.2.1) and routed, then counted for XEP-0198 once what they sent
// to other nodes is held there. Finishes without a promise when nothing on its way waits (most
// messages on one node): no async frame per stanza for the serial queue.
import type { Element } from '../xml/element.js';
import { xml } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { StreamError } from '../protocol/stream-error.js';
import { StanzaError, errorReply } from '../protocol/stanza-error.js';
import { dropDelaysForgedByClient } from '../protocol/delay.js';
import { iqShapeError } from '../core/iq-dispatcher.js';
import type { C2sContext } from './c2s-context.js';
import type { ClientSession } from './client-session.js';
import { isBindRequest, isSessionRequest } from './bind.js';

export class SessionInbound {
  /** `fail` ends the stream carrying the session with a stream error. */
  constructor(
    private readonly ctx: C2sContext,
    private readonly session: ClientSession,
    private readonly fail: (error: StreamError) => void,
  ) {}

  handle(element: Element): void | Promise<void> {
    if (element.attrs.xmlns === NS.sm) return this.session.sm.handleNonza(element);
    const ns = element.attrs.xmlns;
    const isStanza = element.name === 'message' || element.name === 'presence' || element.name === 'iq';
    if (!isStanza) return this.handleOther(element);
    if (ns !== undefined && ns !== NS.client) return this.unsupported(element);
    // A stanza a gone node refused is routed again before this sender's next one (FIFO).
    const rerouting = this.ctx.delivery.rerouting();
    if (rerouting) return rerouting.then(() => this.handleCounted(element));
    return this.handleCounted(element);
  }

  /** A nonza: a module's (c2s/nonza) or a stream error. */
  private async handleOther(element: Element): Promise<void> {
    const ns = element.attrs.xmlns;
    if (ns !== undefined && ns !== NS.client && (await this.ctx.events.fire('c2s/nonza', { session: this.session, element }))) return;
    this.unsupported(element);
  }

  private unsupported(element: Element): void {
    this.fail(new StreamError('unsupported-stanza-type', `<${element.name}/> in namespace '${element.attrs.xmlns ?? NS.client}' is not supported here`));
  }

  private handleCounted(stanza: Element): void | Promise<void> {
    const routed = this.handleStanza(stanza);
    if (routed) return routed.then(() => this.countHandled());
    this.countHandled();
  }

  /** Counted (XEP-0198) once what it sent to other nodes is held there, not merely on its way. */
  private countHandled(): void {
    this.session.sm.handled(this.ctx.delivery.settled());
  }

  private handleStanza(stanza: Element): void | Promise<void> {
    this.ctx.events.notify('c2s/stanza-in', stanza);
    const session = this.session;
    if (isSessionRequest(stanza)) {
      session.send(xml('iq', { type: 'result', id: stanza.attrs.id }));
      return;
    }
    // RFC 6120 §8.1.2.1: the server stamps the full JID of the sender.
    stanza.attrs.from = session.jid.toString();
    // XEP-0203: nobody downstream may take a client's stamp for one of ours (protocol/delay.ts).
    if (stanza.name !== 'iq') dropDelaysForgedByClient(stanza, session.jid, this.ctx.hosts);
    if (stanza.name === 'iq') {
      const problem = isBindRequest(stanza) ? new StanzaError('not-allowed', 'a resource is already bound') : iqShapeError(stanza);
      if (problem) {
        const reply = errorReply(stanza, problem);
        if (reply) session.send(reply);
        return;
      }
    }
    return this.ctx.router.routeNow(stanza, session);
  }
}
