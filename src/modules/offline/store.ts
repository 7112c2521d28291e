// Storing a message for an account with no available resource (XEP-0160 §2). The sender learns
// nothing until `store` resolved: either the message is durably stored (no answer, as for a
// delivered message) or it gets an error.
import type { ModuleContext } from '../../core/modules/module.js';
import type { StanzaEvent } from '../../core/events.js';
import { bounce } from '../../core/stanza-sender.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { OfflineStoreResult } from '../../storage/types.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { serialize } from '../../xml/serialize.js';
import { stanzaIdOf, withStanzaId } from '../../protocol/stanza-id.js';
import { storeDecision } from './storable.js';

/**
 * A copy carrying our XEP-0203 delay (XEP-0160 §2 recommends it; the stamp is when we stored it,
 * in UTC as XEP-0082 requires). A delay already "from" this domain is dropped first: it is either
 * forged by the sender or left from an earlier pass through storage, and the recipient must see
 * exactly one, true, storage time from us.
 */
export function withOfflineDelay(message: Element, domain: string, storedAt: number): Element {
  const copy = cloneElement(message);
  copy.children = copy.children.filter(
    (child) => typeof child === 'string' || !(child.name === 'delay' && child.attrs.xmlns === NS.delay && child.attrs.from === domain),
  );
  copy.append(xml('delay', { xmlns: NS.delay, from: domain, stamp: new Date(storedAt).toISOString() }, 'Offline Storage'));
  return copy;
}

/**
 * Handles `message/offline`: false when the message is not worth storing (the message module
 * then answers service-unavailable), true once it is stored, already stored, or bounced.
 * `onStored` runs after a new message was committed.
 */
export async function storeOffline(
  ctx: ModuleContext,
  event: StanzaEvent,
  quota: number,
  onStored: (account: string) => Promise<void>,
): Promise<boolean> {
  const decision = storeDecision(event.stanza);
  if (!decision.store) {
    ctx.log.debug({ to: event.to.toString(), reason: decision.reason }, 'offline: not storing');
    return false;
  }
  const account = event.to.toBareString();
  // The message module stamped it; a message reaching us another way gets its id here, so the
  // stored copy and what the client later de-duplicates by are the same.
  let stanza = event.stanza;
  let stanzaId = stanzaIdOf(stanza, account);
  if (stanzaId === undefined) {
    stanzaId = ctx.ids.sortable();
    stanza = withStanzaId(stanza, account, stanzaId);
  }
  const storedAt = ctx.clock.now();
  const stored = serialize(withOfflineDelay(stanza, event.to.domain, storedAt));

  let result: OfflineStoreResult;
  try {
    result = await ctx.storage.offline.store(account, { stanzaId, stanza: stored, storedAt }, quota);
  } catch (error) {
    ctx.log.error({ err: error, account }, 'offline: could not store a message');
    await bounce(ctx.router, event.stanza, new StanzaError('internal-server-error', 'the message could not be stored for the offline recipient'), event.to);
    return true;
  }
  if (result === 'full') {
    // XEP-0160 §2: a full queue means the message cannot be stored: service-unavailable.
    await bounce(ctx.router, event.stanza, new StanzaError('service-unavailable', "the recipient's offline storage is full"), event.to);
    return true;
  }
  // 'duplicate': this very message (same stanza-id) is already waiting, e.g. re-offered after an
  // unacknowledged delivery; it stays stored once.
  if (result === 'stored') {
    await onStored(account);
    await ctx.fire('message/stored-offline', { ...event, stanza });
  }
  return true;
}
