// The upload.<domain> component's side of XMPP: disco#info with the XEP-0363 §3 size limit in a
// form where Conversations and Gajim read it, and slot requests from the domain's own accounts.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { StanzaError, errorReply } from '../../protocol/stanza-error.js';
import { resultForm } from '../../protocol/data-form.js';
import type { StanzaEvent } from '../../core/events.js';
import type { Router } from '../../core/router.js';
import type { Logger } from '../../util/logger.js';
import { NS_UPLOAD, requestSlot, type SlotRequestContext } from './slot-request.js';

export interface ComponentContext {
  /** The hosted domain this component serves (its accounts may upload). */
  domain: string;
  router: Router;
  log: Logger;
  maxFileBytes: number;
  /** Context for a slot request, or a StanzaError when uploads cannot be served now. */
  slotContext(): SlotRequestContext | StanzaError;
}

function discoInfo(maxFileBytes: number): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo },
    xml('identity', { category: 'store', type: 'file', name: 'HTTP File Upload' }),
    xml('feature', { var: NS.discoInfo }),
    xml('feature', { var: NS_UPLOAD }),
    resultForm(NS_UPLOAD, [{ var: 'max-file-size', values: [String(maxFileBytes)] }]),
  );
}

async function answerIq(ctx: ComponentContext, event: StanzaEvent): Promise<Element | null> {
  const { stanza, from } = event;
  const payload = stanza.getChildElements()[0];
  const ns = payload?.attrs.xmlns;
  if (stanza.attrs.type === 'get' && payload?.attrs.node === undefined) {
    if (ns === NS.discoInfo && payload?.name === 'query') return discoInfo(ctx.maxFileBytes);
    if (ns === NS.discoItems && payload?.name === 'query') return xml('query', { xmlns: NS.discoItems });
  }
  if (stanza.attrs.type === 'get' && ns === NS_UPLOAD && payload?.name === 'request') {
    if (from.domain !== ctx.domain || !from.local) throw new StanzaError('forbidden', `only accounts of ${ctx.domain} may upload here`);
    const slotContext = ctx.slotContext();
    if (slotContext instanceof StanzaError) throw slotContext;
    return requestSlot(slotContext, from, payload);
  }
  throw new StanzaError('service-unavailable');
}

export async function handleComponentStanza(ctx: ComponentContext, event: StanzaEvent): Promise<void> {
  const { stanza } = event;
  const type = stanza.attrs.type as string | undefined;
  if (stanza.name === 'presence' || type === 'error' || type === 'result') return;
  let reply: Element | undefined;
  if (stanza.name !== 'iq') {
    reply = errorReply(stanza, new StanzaError('service-unavailable', 'the upload service takes only slot requests and disco queries'));
  } else {
    try {
      const payload = await answerIq(ctx, event);
      reply = xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from }, payload);
    } catch (error) {
      if (!(error instanceof StanzaError)) ctx.log.error({ err: error }, 'upload request failed');
      reply = errorReply(stanza, error instanceof StanzaError ? error : new StanzaError('internal-server-error'));
    }
  }
  if (reply) await ctx.router.route(reply);
}
