// XEP-0357 §7: publishing a notification to an app server, from the account's bare JID, over
// normal routing (so across federation when the app server is elsewhere). An app server that
// answers with an error no longer wants this registration (§7.1: e.g. the device token is gone),
// so it is disabled; no answer at all may be a network problem and changes nothing.
import type { ModuleContext } from '../../core/modules/module.js';
import { IqTimeoutError } from '../../core/iq-dispatcher.js';
import { stanzaErrorIn } from '../../protocol/stanza-error.js';
import { submitForm, type FormField } from '../../protocol/data-form.js';
import type { Jid } from '../../protocol/jid.js';
import type { PushDue } from '../../storage/types.js';
import { buildElement } from '../../xml/element-builder.js';
import { xml, type Element } from '../../xml/element.js';
import { NS_PUSH } from './registration.js';

const SUMMARY = 'urn:xmpp:push:summary';
const PUBSUB = 'http://jabber.org/protocol/pubsub';
/** Bodies in a notification are cut here: a preview, not the message. */
const MAX_BODY_PREVIEW = 256;

export interface SummaryPolicy {
  includeSender: boolean;
  includeBody: boolean;
}

/** §7 and its summary form (§7.1): how many messages, and, where allowed, from whom and what. */
export function notification(account: Jid, due: PushDue, message: Element, from: Jid, policy: SummaryPolicy, id: string): Element {
  const fields: FormField[] = [{ var: 'message-count', values: [String(due.count)] }];
  if (policy.includeSender) fields.push({ var: 'last-message-sender', values: [from.toString()] });
  const body = message.getChildText('body');
  if (policy.includeBody && body) fields.push({ var: 'last-message-body', values: [[...body].slice(0, MAX_BODY_PREVIEW).join('')] });
  const item = xml('item', null, xml('notification', { xmlns: NS_PUSH }, submitForm(SUMMARY, fields)));
  const options = due.publishOptions === undefined ? null : xml('publish-options', null, buildElement(due.publishOptions));
  return xml('iq', { type: 'set', id, from: account.toString(), to: due.service }, xml('pubsub', { xmlns: PUBSUB }, xml('publish', { node: due.node }, item), options));
}

/** Sends one notification and acts on the answer; never throws (a push must not fail delivery). */
export async function publish(ctx: ModuleContext, account: Jid, due: PushDue, iq: Element, timeoutMs: number): Promise<void> {
  const where = { account: account.toString(), service: due.service, node: due.node };
  let answer: Element;
  try {
    answer = await ctx.requestIq(iq, timeoutMs);
  } catch (error) {
    if (error instanceof IqTimeoutError) ctx.log.info(where, 'push: the app server did not answer; the registration stays');
    else ctx.log.warn({ ...where, err: error }, 'push: could not send a notification');
    return;
  }
  if (answer.attrs.type !== 'error') return;
  const { condition, text } = stanzaErrorIn(answer);
  await ctx.storage.push.disable(account.toString(), due.service, due.node);
  ctx.log.info({ ...where, condition, text }, 'push: the app server refused a notification; registration disabled');
}
