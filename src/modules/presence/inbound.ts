// Presence arriving for a local account (RFC 6121 §4.2.3, §4.4.3, §4.5.3, §4.6.3, §8.5). Subscription
// types belong to the roster module and are never claimed here.
import type { StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { answerProbe } from './probe.js';

const DELIVERED = new Set<string | undefined>([undefined, 'unavailable', 'error']);

/** To a full JID: the probe is answered; other presence goes to that resource if it is connected. */
export async function toFullJid(ctx: ModuleContext, event: StanzaEvent): Promise<boolean> {
  const type = event.stanza.attrs.type;
  if (type === 'probe') {
    await answerProbe(ctx, event);
    return true;
  }
  if (!DELIVERED.has(type)) return false;
  // §8.5.3.2.1: no such resource: presence is silently ignored.
  const ref = await ctx.sessions.byFullJid(event.to.toString());
  if (ref) await ctx.delivery.toSession(ref, event.stanza);
  return true;
}

/**
 * To a bare JID: every available resource gets it (§8.5.2.1.2), errors included, since the stanza
 * that caused them (e.g. a probe) came from the account as a whole. With no available resource,
 * or no such account, it is dropped without a word (§8.5.2.2.2, §8.5.1).
 */
export async function toBareJid(ctx: ModuleContext, event: StanzaEvent): Promise<boolean> {
  const type = event.stanza.attrs.type;
  if (type === 'probe') {
    await answerProbe(ctx, event);
    return true;
  }
  if (!DELIVERED.has(type)) return false;
  for (const ref of await ctx.sessions.byBareJid(event.to.toBareString())) {
    if (ref.available) await ctx.delivery.toSession(ref, event.stanza);
  }
  return true;
}
