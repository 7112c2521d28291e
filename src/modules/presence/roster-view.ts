// Who may see whom, read from the account's roster (RFC 6121 §2.1.2.5 subscription states).
import type { ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import type { RosterItem, Subscription } from '../../storage/types.js';

/** The contact is subscribed to the user's presence ("from" or "both"). */
export function hasFrom(subscription: Subscription | undefined): boolean {
  return subscription === 'from' || subscription === 'both';
}

/** The user is subscribed to the contact's presence ("to" or "both"). */
export function hasTo(subscription: Subscription | undefined): boolean {
  return subscription === 'to' || subscription === 'both';
}

/** Bare JIDs of the roster's contacts whose subscription passes `test`; the account itself is left out. */
export function contactsWhere(items: RosterItem[], account: Jid, test: (s: Subscription) => boolean): string[] {
  const self = account.toBareString();
  return items.filter((item) => item.jid !== self && test(item.subscription)).map((item) => item.jid);
}

/** Whether `contact` (any JID; its bare JID counts) may see `account`'s presence. */
export async function isSubscriber(ctx: ModuleContext, account: Jid, contact: Jid): Promise<boolean> {
  const item = await ctx.storage.roster.getItem(account.toBareString(), contact.toBareString());
  return hasFrom(item?.subscription);
}
