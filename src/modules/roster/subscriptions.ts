// Presence subscriptions (RFC 6121 §3). The user's server handles what its clients send
// (outbound, Appendix A.2), the contact's server what arrives for its accounts (inbound, A.3);
// when both are this server they still meet only through the router, as remote ones would.
import type { ModuleContext } from '../../core/modules/module.js';
import { PRE_PRESENCE_BARE, type StanzaEvent, type SubscriptionOnBehalfEvent } from '../../core/events.js';
import { bounce } from '../../core/stanza-sender.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { PendingLimits, PendingRequest, RosterItem } from '../../storage/types.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import { inbound, outbound, subscriptionType, type OutboundOutcome, type SubState, type SubscriptionType } from './states.js';
import { replayPending, requestToKeep, tooManyRequests } from './pending.js';
import type { RosterStore, StoredChange } from './store.js';

interface Transition<T> {
  outcome: T;
  /** The stored item change, when the item changed. */
  change: StoredChange | undefined;
  /** A new request was not stored: the account already holds as many as its limits allow. */
  refused?: true;
}

/** The stanza as it travels between servers: bare JIDs on both ends (§3.1.2, §3.1.3). */
function between(stanza: Element, from: Jid, to: Jid): Element {
  const copy = cloneElement(stanza);
  copy.attrs.from = from.toString();
  copy.attrs.to = to.toString();
  return copy;
}

export interface SubscriptionLimits {
  maxItems: number;
  pending: PendingLimits;
}

export function registerSubscriptions(ctx: ModuleContext, store: RosterStore, limits: SubscriptionLimits): void {

  /**
   * Reads the account's state for the contact, lets `decide` pick the next one and stores it.
   * `request` is kept when the contact's request becomes or stays pending (§3.1.3); asking again
   * replaces the earlier request.
   */
  async function transition<T extends { next: SubState }>(
    account: Jid,
    contact: Jid,
    decide: (state: SubState) => T,
    request?: PendingRequest,
  ): Promise<Transition<T>> {
    const jid = contact.toBareString();
    const { result, change, refused } = await store.update(account, contact, ({ item, pendingIn, count }) => {
      const state: SubState = { subscription: item?.subscription ?? 'none', pendingOut: item?.ask ?? false, pendingIn, approved: item?.approved ?? false };
      const outcome = decide(state);
      const { next } = outcome;
      const itemChanged = next.subscription !== state.subscription || next.pendingOut !== state.pendingOut || next.approved !== state.approved;
      if (itemChanged && !item && count >= limits.maxItems) {
        throw new StanzaError('not-acceptable', `the roster already holds ${limits.maxItems} items`);
      }
      // Storage refuses only a new request that does not fit; a repeat that no longer fits leaves
      // the earlier request pending.
      const pending = next.pendingIn && request ? { request, limits: limits.pending } : !next.pendingIn && pendingIn ? ('remove' as const) : undefined;
      const after: RosterItem | undefined = itemChanged
        ? { ...(item ?? { jid, groups: [] }), jid, subscription: next.subscription, ask: next.pendingOut, approved: next.approved }
        : undefined;
      return { result: outcome, ...(pending ? { pendingIn: pending } : {}), ...(after ? { item: after } : {}) };
    });
    return refused ? { outcome: result, change: undefined, refused: true } : { outcome: result, change };
  }

  async function deliver(account: Jid, stanza: Element, to: 'available' | 'interested'): Promise<void> {
    for (const ref of await ctx.sessions.byBareJid(account.toBareString())) {
      if (to === 'available' ? ref.available : ref.interested) await ctx.delivery.toSession(ref, stanza);
    }
  }

  /** A.2: stored before routing (§3.1.2: stamped with the bare JID), so an instant answer finds the new state. */
  async function onOutbound(event: StanzaEvent): Promise<boolean> {
    const type = subscriptionType(event.stanza.attrs.type);
    if (!type || !event.origin) return false;
    const user = event.from.bare;
    const contact = event.to.bare; // §3.1.1: a full JID counts as its bare JID
    if (contact.equals(user)) return true; // no 'to', or the user's own address: nothing to subscribe to
    try {
      await applyOutbound(user, contact, type, event.stanza);
    } catch (error) {
      if (!(error instanceof StanzaError)) throw error;
      await bounce(ctx.router, event.stanza, error, event.to);
    }
    return true;
  }

  /** The same, for the server acting on the account's behalf (no client, so errors go to the caller). */
  async function onBehalf(event: SubscriptionOnBehalfEvent): Promise<boolean> {
    const { account, contact, type } = event;
    if (contact.bare.equals(account.bare)) return true;
    await applyOutbound(account.bare, contact.bare, type, xml('presence', { type }));
    return true;
  }

  async function applyOutbound(user: Jid, contact: Jid, type: SubscriptionType, stanza: Element): Promise<void> {
    const result: Transition<OutboundOutcome> = await transition(user, contact, (state) => outbound(type, state));
    // A request's push goes first: the contact's server may answer at once (it may be this
    // server), and that answer's push must not be overtaken by the older one. Other changes are
    // announced after routing (§3.1.5, §3.2.2, §3.3.2), so presence owed to the contact on
    // `roster/changed` follows the stanza that made it owed.
    const announceFirst = type === 'subscribe';
    if (result.change && announceFirst) await store.announce(result.change);
    if (result.outcome.route) await ctx.router.route(between(stanza, user, contact));
    if (result.change && !announceFirst) await store.announce(result.change);
  }

  /** A.3: the stanza reaches the user's resources before the push (§3.1.6, §3.2.3, §3.3.3). */
  async function onInbound(event: StanzaEvent): Promise<boolean> {
    const type = subscriptionType(event.stanza.attrs.type);
    if (!type) return false;
    const user = event.to.bare;
    const contact = event.from.bare;
    if (contact.equals(user)) return true;
    const stanza = between(event.stanza, contact, user);
    if (!(await ctx.accounts.exists(user))) {
      // §8.5.1: no such account. A request is refused so the sender is not left pending.
      if (type === 'subscribe') await ctx.router.route(xml('presence', { type: 'unsubscribed', id: stanza.attrs.id, from: user.toString(), to: contact.toString() }));
      return true;
    }
    const keep = type === 'subscribe' ? requestToKeep(stanza, contact) : undefined;
    const { outcome, change, refused } = await transition(user, contact, (state) => inbound(type, state), keep);
    if (refused) {
      ctx.log.info({ account: user.toString(), contact: contact.toString(), limits: limits.pending }, 'refused a subscription request: too many pending');
      await bounce(ctx.router, event.stanza, tooManyRequests(user, limits.pending));
      return true;
    }
    if (outcome.autoApprove) {
      await ctx.router.route(xml('presence', { type: 'subscribed', id: stanza.attrs.id, from: user.toString(), to: contact.toString() }));
    }
    // §3.1.3: requests go to available resources (and wait for the others); the rest, which
    // come with roster pushes, to interested ones.
    if (outcome.deliver) await deliver(user, stanza, type === 'subscribe' ? 'available' : 'interested');
    if (change) await store.announce(change);
    return true;
  }

  /** §3.1.3: requests still unanswered reach a resource when it becomes available. */
  async function onInitialPresence(event: StanzaEvent): Promise<boolean> {
    const { stanza, origin } = event;
    if (!origin || origin.available || stanza.attrs.to !== undefined || stanza.attrs.type !== undefined) return false;
    await replayPending(ctx, origin);
    return false; // the presence module still has to make the session available
  }

  ctx.on('pre-presence/bare', onInitialPresence, PRE_PRESENCE_BARE.replaySubscriptionRequests);
  ctx.on('pre-presence/bare', onOutbound, PRE_PRESENCE_BARE.outboundSubscriptions);
  ctx.on('pre-presence/full', onOutbound);
  ctx.on('presence/bare', onInbound);
  ctx.on('presence/full', onInbound);
  ctx.on('roster/subscription-on-behalf', onBehalf);
}
