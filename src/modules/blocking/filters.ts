// What a blocklist does to traffic (XEP-0191 §3.3): stanzas from a blocked entity never reach the
// account (nor its offline store, archive or carbons), and nothing the account sends reaches a
// blocked entity. Stanzas this module sends itself (its error replies, the unavailable presence
// owed on block) are let through by identity.
import type { StanzaEvent } from '../../core/events.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { bounce } from '../../core/stanza-sender.js';
import { StanzaError, errorReply } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import type { BlocklistCache } from './cache.js';
import { isBlocked } from './matching.js';
import { NS_BLOCKING_ERRORS } from './namespaces.js';

/** Stanzas built by this module that must pass the outbound filter. */
export type OwnStanzas = WeakSet<Element>;

/**
 * Whether `account`'s list blocks `peer`; the account's own JIDs never are. Synchronous when the
 * list is cached, so the common answer (not blocked) costs no await.
 */
function blocks(cache: BlocklistCache, account: StanzaEvent['to'], peer: StanzaEvent['from']): boolean | Promise<boolean> {
  if (peer.bare.equals(account.bare)) return false;
  const key = account.toBareString();
  const list = cache.peek(key);
  return list ? isBlocked(list, peer) : cache.get(key).then((loaded) => isBlocked(loaded, peer));
}

/** Runs `then` only for a blocked stanza; false (synchronously, when it can) otherwise. */
function whenBlocked(verdict: boolean | Promise<boolean>, then: () => Promise<boolean>): boolean | Promise<boolean> {
  if (verdict === false) return false;
  if (verdict === true) return then();
  return verdict.then((blocked) => (blocked ? then() : false));
}

/**
 * `message/*`, `presence/*`, `iq/*` for a local account: a stanza from a blocked entity is
 * claimed. Presence (probes and subscriptions too) and IQ results/errors are dropped without a
 * word; IQ get/set and chat/normal messages get service-unavailable, so the account looks
 * offline. Headlines and groupchat messages are dropped, as Prosody does: an error to a room
 * can get the user removed from it.
 */
export function inboundFilter(ctx: ModuleContext, cache: BlocklistCache, own: OwnStanzas, event: StanzaEvent): boolean | Promise<boolean> {
  return whenBlocked(blocks(cache, event.to, event.from), () => refuseInbound(ctx, own, event));
}

async function refuseInbound(ctx: ModuleContext, own: OwnStanzas, event: StanzaEvent): Promise<boolean> {
  const { stanza } = event;
  const type = stanza.attrs.type as string | undefined;
  const answered =
    (stanza.name === 'iq' && (type === 'get' || type === 'set')) ||
    (stanza.name === 'message' && (type === undefined || type === 'chat' || type === 'normal'));
  if (answered) {
    const sink = { route: (reply: Element) => (own.add(reply), ctx.router.route(reply)) };
    await bounce(sink, stanza, new StanzaError('service-unavailable'), event.to);
  }
  return true;
}

/**
 * `stanza/outbound`: a stanza from the account to an entity it blocked is stopped. A client that
 * sent it directly learns why (not-acceptable + <blocked/>), unless it was an error or an IQ
 * result, which are never answered; what modules send for the account (broadcast presence,
 * probe answers, notifications) is dropped quietly.
 */
export function outboundFilter(cache: BlocklistCache, own: OwnStanzas, event: StanzaEvent): boolean | Promise<boolean> {
  if (own.has(event.stanza)) return false;
  return whenBlocked(blocks(cache, event.from, event.to), async () => refuseOutbound(event));
}

function refuseOutbound(event: StanzaEvent): boolean {
  if (event.origin) {
    const error = new StanzaError('not-acceptable', `you have blocked ${event.to.toString()}; unblock it to communicate`, 'cancel', xml('blocked', { xmlns: NS_BLOCKING_ERRORS }));
    const reply = errorReply(event.stanza, error);
    // Straight to the client: routed, it would come "from" the blocked entity and be dropped.
    if (reply) event.origin.send(reply);
  }
  return true;
}

/** `message/replay`: a message stored offline before its sender was blocked is discarded. */
export function replayFilter(cache: BlocklistCache, event: StanzaEvent): boolean | Promise<boolean> {
  return blocks(cache, event.to, event.from);
}
