// Roster get and set (RFC 6121 §2.1.3-§2.5) and versioned gets (§2.6.3). Only the account's own
// resources may read or change its roster.
import type { ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import type { StanzaEvent } from '../../core/events.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { RosterItem } from '../../storage/types.js';
import { xml, type Element } from '../../xml/element.js';
import { NS_ROSTER, itemElement, parseRosterSet, rosterQuery, type ItemLimits } from './items.js';
import { hasFrom, hasTo } from './states.js';
import type { RosterStore } from './store.js';

export interface RosterLimits extends ItemLimits {
  maxItems: number;
}

/** Ahead of the IQ dispatcher, which answers only after its handler returns. */
const VERSIONED_GET_PRIORITY = 10;

function ownSession(origin: LocalSession | undefined, account: Jid): LocalSession | undefined {
  return origin && origin.jid.bare.equals(account) ? origin : undefined;
}

/** The roster version a client names (§2.6.2), or undefined when it is none of ours. */
function knownVersion(ver: string | undefined): number | undefined {
  if (ver === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(ver)) return undefined;
  const version = Number(ver);
  return Number.isSafeInteger(version) ? version : undefined;
}

export function registerRosterIq(ctx: ModuleContext, store: RosterStore, limits: RosterLimits): void {
  const repo = ctx.storage.roster;

  async function authorise(request: IqRequest): Promise<LocalSession> {
    const session = ownSession(request.origin, request.to);
    if (session) return session;
    // RFC 6121 §8.5.1 for an account that does not exist; §2.1.5 (security warning) and §2.3.3
    // otherwise: nobody but the account's own resources may touch the roster.
    if (!(await ctx.accounts.exists(request.to))) throw new StanzaError('service-unavailable');
    throw new StanzaError('forbidden', 'only the account itself may use its roster');
  }

  async function get(request: IqRequest): Promise<Element> {
    await store.markInterested(await authorise(request));
    const { version, items } = await repo.get(request.to.toBareString());
    return rosterQuery(items.map(itemElement), version);
  }

  async function set(request: IqRequest): Promise<null> {
    await authorise(request);
    const wanted = parseRosterSet(request.payload, limits);
    const account = request.to;
    if (wanted.kind === 'remove') {
      await removeItem(account, wanted.jid);
      return null;
    }
    const { change } = await store.update(account, wanted.jid, ({ item: before, count }) => {
      if (!before && count >= limits.maxItems) {
        throw new StanzaError('not-acceptable', `the roster already holds ${limits.maxItems} items`);
      }
      // Name and groups are the client's; the subscription state stays the server's.
      const after: RosterItem = {
        jid: wanted.jid.toBareString(),
        ...(wanted.name === undefined ? {} : { name: wanted.name }),
        subscription: before?.subscription ?? 'none',
        ask: before?.ask ?? false,
        approved: before?.approved ?? false,
        groups: wanted.groups,
      };
      return { result: undefined, item: after };
    });
    if (change) await store.announce(change);
    return null;
  }

  /** §2.5.2: the item goes, and so do the subscriptions it carried. */
  async function removeItem(account: Jid, contact: Jid): Promise<void> {
    const { change } = await store.update(account, contact, ({ item }) => ({ result: undefined, ...(item ? { item: 'remove' as const } : {}) }));
    // §2.5.3
    if (!change?.before) throw new StanzaError('item-not-found', 'no such item in the roster');
    const { subscription, ask } = change.before;
    const from = account.toBareString();
    const to = contact.toBareString();
    // A pending request of the user's is withdrawn too, so the contact is not left with one.
    if (hasTo(subscription) || ask) await ctx.router.route(xml('presence', { type: 'unsubscribe', from, to }));
    if (hasFrom(subscription)) await ctx.router.route(xml('presence', { type: 'unsubscribed', from, to }));
    await store.announce(change);
  }

  /**
   * §2.6.3: a get naming a version we still know is answered with an empty result, then one
   * push per item changed since, each once the connection has drained (up to maxItems of them).
   * Only the last push carries the new version, so a client cut off half-way asks again from its
   * old one.
   */
  async function versionedGet(event: StanzaEvent): Promise<boolean> {
    const { stanza } = event;
    const session = ownSession(event.origin, event.to);
    const children = stanza.getChildElements();
    const query = children[0];
    if (stanza.attrs.type !== 'get' || !session || children.length !== 1 || query?.name !== 'query' || query.attrs.xmlns !== NS_ROSTER) return false;
    const since = knownVersion(query.attrs.ver as string | undefined);
    if (since === undefined) return false;
    const delta = await repo.changesSince(event.to.toBareString(), since);
    if (!delta) return false;

    await store.markInterested(session);
    await ctx.router.route(xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to ?? event.to.toString(), to: stanza.attrs.from }));
    const ref = session.ref();
    for (const [index, change] of delta.changes.entries()) {
      if (!(await session.whenWritable())) break;
      const last = index === delta.changes.length - 1;
      await store.push(ref, { account: event.to, jid: change.jid, item: change.item }, last ? delta.version : undefined);
    }
    return true;
  }

  ctx.handleIq({ target: 'account', type: 'get', xmlns: NS_ROSTER, name: 'query', handler: get });
  ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_ROSTER, name: 'query', handler: set });
  ctx.on('iq/bare', versionedGet, VERSIONED_GET_PRIORITY);
}
