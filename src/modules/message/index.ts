// Message delivery to local accounts (RFC 6121 §8.5). Undeliverable chat/normal messages go to
// the `message/offline` event; with nobody claiming it the sender gets service-unavailable.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { MessageDeliveredEvent, StanzaEvent } from '../../core/events.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import { sessionsOfAccountNow } from '../../core/sessions/session-registry.js';
import type { Element } from '../../xml/element.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { bounce } from '../../core/stanza-sender.js';
import { allNonNegative, highestPriority } from './delivery-rules.js';
import { messageType, type MessageType } from '../../protocol/message-type.js';
import { withStanzaId } from '../../protocol/stanza-id.js';

export const messageModule: HeraldModule = {
  name: 'message',
  enabledByDefault: true,
  load(ctx) {
    // Stamped once, when the message first reaches the recipient's host (full or bare path).
    ctx.on('message/full', (event) => toFullJid(ctx, stamped(ctx, event)));
    ctx.on('message/bare', (event) => toBareJid(ctx, stamped(ctx, event)));
  },
};

/**
 * The event with a stanza that carries our XEP-0359 stanza-id. Errors are left alone, and so is
 * groupchat: the account's archive does not keep it (XEP-0313 §5.1.2: the room's archive does,
 * under the room's own stanza-id), and an id nothing stores would send clients looking for it.
 */
function stamped(ctx: ModuleContext, event: StanzaEvent): StanzaEvent {
  const type = event.stanza.attrs.type;
  if (type === 'error' || type === 'groupchat') return event;
  return withParts(event, withStanzaId(event.stanza, event.to.bare.toString(), ctx.ids.sortable()), event.to);
}

// Events are built field by field: spreading them (`{ ...event, recipients }`) cost several µs
// per message in profiles, more than the rest of delivery together.
function withParts(event: StanzaEvent, stanza: Element, to: Jid): StanzaEvent {
  const { from, origin } = event;
  return origin ? { stanza, from, to, origin } : { stanza, from, to };
}

function deliveredTo(event: StanzaEvent, recipients: SessionRef[]): MessageDeliveredEvent {
  const { stanza, from, to, origin } = event;
  return origin ? { stanza, from, to, origin, recipients } : { stanza, from, to, recipients };
}

/** §8.5.3: a connected resource gets it; otherwise chat/normal/headline fall back to the bare JID. */
async function toFullJid(ctx: ModuleContext, event: StanzaEvent): Promise<boolean> {
  const ref = await ctx.sessions.byFullJid(event.to.toString());
  if (ref && (await ctx.delivery.toSession(ref, event.stanza))) {
    await ctx.fire('message/delivered', deliveredTo(event, [ref]));
    return true;
  }
  const type = messageType(event.stanza.attrs.type);
  if (type === 'error') return true;
  if (type === 'groupchat') {
    await bounce(ctx.router, event.stanza, new StanzaError('service-unavailable'), event.to);
    return true;
  }
  return toBareJid(ctx, withParts(event, event.stanza, event.to.bare));
}

// The usual message (a chat to an account with a session that keeps up) is delivered without a
// promise: the registry's peek, the write and the observers all answer at once on one node, and a
// promise plus microtask at each step cost more than the steps. Anything that waits goes async.

/** §8.5.2 (and §8.5.1 for an account that does not exist). */
function toBareJid(ctx: ModuleContext, event: StanzaEvent): boolean | Promise<boolean> {
  const type = messageType(event.stanza.attrs.type);
  if (type === 'error') return true;
  // bare.toString() is kept by the (cached) Jid, so the registry's map need not hash a new string.
  const refs = sessionsOfAccountNow(ctx.sessions, event.to.bare.toString());
  return refs instanceof Promise ? refs.then((found) => toAccount(ctx, event, type, found)) : toAccount(ctx, event, type, refs);
}

function toAccount(ctx: ModuleContext, event: StanzaEvent, type: MessageType, refs: readonly SessionRef[]): boolean | Promise<boolean> {
  if (refs.length === 0 || type === 'groupchat') return undelivered(ctx, event, type, refs.length === 0);
  const targets = type === 'headline' ? allNonNegative(refs) : highestPriority(refs);
  return deliverFrom(ctx, event, type, targets, 0, []);
}

/** Delivers to targets[next…], one after another, collecting who took it into `recipients`. */
function deliverFrom(ctx: ModuleContext, event: StanzaEvent, type: MessageType, targets: SessionRef[], next: number, recipients: SessionRef[]): boolean | Promise<boolean> {
  for (let i = next; i < targets.length; i++) {
    const ref = targets[i]!;
    const accepted = ctx.delivery.toSessionNow(ref, event.stanza);
    if (accepted instanceof Promise) {
      return accepted.then((took) => {
        if (took) recipients.push(ref);
        return deliverFrom(ctx, event, type, targets, i + 1, recipients);
      });
    }
    if (accepted) recipients.push(ref);
  }
  if (recipients.length === 0) return type === 'headline' || offlineOrBounce(ctx, event);
  // Observers (e.g. carbons) learn who got it; nobody claims this event.
  const observed = ctx.fireNow('message/delivered', deliveredTo(event, recipients));
  return observed instanceof Promise ? observed.then(() => true) : true;
}

/** No session to try: no such account (§8.5.1), a groupchat to an account, or nobody online. */
async function undelivered(ctx: ModuleContext, event: StanzaEvent, type: MessageType, noSessions: boolean): Promise<boolean> {
  if (noSessions && !(await ctx.accounts.exists(event.to))) {
    // §8.5.1: no such account. Headlines are dropped; others get service-unavailable, the same
    // answer as for an account that is offline, so existence is not revealed.
    if (type !== 'headline') await bounce(ctx.router, event.stanza, new StanzaError('service-unavailable'), event.to);
    return true;
  }
  if (type === 'groupchat') {
    await bounce(ctx.router, event.stanza, new StanzaError('service-unavailable'), event.to);
    return true;
  }
  return type === 'headline' || offlineOrBounce(ctx, event);
}

async function offlineOrBounce(ctx: ModuleContext, event: StanzaEvent): Promise<boolean> {
  if (await ctx.fire('message/offline', event)) return true;
  // No offline store claimed it (RFC 6121 §8.5.2.2.1 allows this answer).
  await bounce(ctx.router, event.stanza, new StanzaError('service-unavailable'), event.to);
  return true;
}
