// RFC 6121 Appendix A: the subscription state machine, as pure functions. A state is the
// roster item's subscription and ask flag, the pre-approval flag (§3.4), and whether an inbound
// request awaits the user's answer ("Pending In", kept outside the item).
import type { Subscription } from '../../storage/types.js';

export type SubscriptionType = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed';

export interface SubState {
  subscription: Subscription;
  /** "Pending Out": the user asked the contact (ask='subscribe'). */
  pendingOut: boolean;
  /** "Pending In": the contact asked the user. */
  pendingIn: boolean;
  /** The user pre-approved the contact (§3.4). */
  approved: boolean;
}

export interface OutboundOutcome {
  next: SubState;
  /** Whether the stanza goes on to the contact. */
  route: boolean;
}

export interface InboundOutcome {
  next: SubState;
  /** Whether the user's resources see the stanza ("DELIVER?" in the A.3 tables). */
  deliver: boolean;
  /** §3.1.3 / §3.4: the server answers `subscribed` on the user's behalf. */
  autoApprove: boolean;
}

const SUBSCRIPTION_TYPES = new Set<string>(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);

export function subscriptionType(type: string | undefined): SubscriptionType | undefined {
  return type !== undefined && SUBSCRIPTION_TYPES.has(type) ? (type as SubscriptionType) : undefined;
}

export const hasTo = (s: Subscription): boolean => s === 'to' || s === 'both';
export const hasFrom = (s: Subscription): boolean => s === 'from' || s === 'both';

function compose(to: boolean, from: boolean): Subscription {
  if (to) return from ? 'both' : 'to';
  return from ? 'from' : 'none';
}

const withTo = (s: Subscription, to: boolean): Subscription => compose(to, hasFrom(s));
const withFrom = (s: Subscription, from: boolean): Subscription => compose(hasTo(s), from);

/** A.2: the user's own client sent the stanza. */
export function outbound(type: SubscriptionType, state: SubState): OutboundOutcome {
  switch (type) {
    case 'subscribe':
      // A.2.1: pending unless already subscribed. Routed either way, so that the contact's
      // server can auto-reply when the subscription already exists (§3.1.3).
      return { next: { ...state, pendingOut: state.pendingOut || !hasTo(state.subscription) }, route: true };
    case 'unsubscribe':
      // A.2.2: ends the subscription to the contact or withdraws the request.
      return { next: { ...state, subscription: withTo(state.subscription, false), pendingOut: false }, route: true };
    case 'subscribed':
      // A.2.3: approves a pending request; otherwise it is a pre-approval (§3.4), which the
      // contact is not told about, unless the contact is already subscribed (nothing to do).
      if (state.pendingIn) {
        return { next: { ...state, subscription: withFrom(state.subscription, true), pendingIn: false, approved: false }, route: true };
      }
      if (hasFrom(state.subscription)) return { next: state, route: false };
      return { next: { ...state, approved: true }, route: false };
    case 'unsubscribed':
      // A.2.4: cancels the contact's subscription, denies a request, or drops a pre-approval.
      return { next: { ...state, subscription: withFrom(state.subscription, false), pendingIn: false, approved: false }, route: true };
  }
}

const ignored = (state: SubState): InboundOutcome => ({ next: state, deliver: false, autoApprove: false });

/** A.3: the stanza arrived for the user from the contact. */
export function inbound(type: SubscriptionType, state: SubState): InboundOutcome {
  switch (type) {
    case 'subscribe':
      // A.3.1 (footnote): already subscribed, so the server answers for the user.
      if (hasFrom(state.subscription)) return { next: state, deliver: false, autoApprove: true };
      if (state.pendingIn) return ignored(state);
      if (state.approved) {
        return { next: { ...state, subscription: withFrom(state.subscription, true), approved: false }, deliver: false, autoApprove: true };
      }
      return { next: { ...state, pendingIn: true }, deliver: true, autoApprove: false };
    case 'subscribed':
      // A.3.3: only an answer to the user's own pending request counts.
      if (!state.pendingOut || hasTo(state.subscription)) return ignored(state);
      return { next: { ...state, subscription: withTo(state.subscription, true), pendingOut: false }, deliver: true, autoApprove: false };
    case 'unsubscribe':
      // A.3.2: the contact ends their subscription to the user or withdraws their request.
      if (!hasFrom(state.subscription) && !state.pendingIn) return ignored(state);
      return { next: { ...state, subscription: withFrom(state.subscription, false), pendingIn: false }, deliver: true, autoApprove: false };
    case 'unsubscribed':
      // A.3.4: the contact cancels the user's subscription or denies the user's request.
      if (!hasTo(state.subscription) && !state.pendingOut) return ignored(state);
      return { next: { ...state, subscription: withTo(state.subscription, false), pendingOut: false }, deliver: true, autoApprove: false };
  }
}
