// The blocking commands (XEP-0191 §3.2–§3.5): retrieve, block, unblock, unblock all. Storage
// changes first, then the cache entry is dropped, then presence and pushes go out; a failure
// before storage leaves nothing changed.
import type { IqRequest } from '../../core/iq-dispatcher.js';
import type { ModuleContext } from '../../core/modules/module.js';
import { parseJid, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { BLOCKLIST_CHANGED, type BlocklistCache } from './cache.js';
import type { OwnStanzas } from './filters.js';
import { NS_BLOCKING, ownAccount } from './namespaces.js';
import type { BlockingOptions } from './options.js';
import { sendPresenceOnUnblock, sendUnavailableOnBlock } from './presence.js';
import { reportIn, storeReport } from './reports.js';

/** SessionRef flag: the resource asked for the blocklist, so it gets pushes (§3.2). */
export const INTERESTED_FLAG = 'blocklist';

export interface Commands {
  retrieve(request: IqRequest): Promise<Element>;
  block(request: IqRequest): Promise<null>;
  unblock(request: IqRequest): Promise<null>;
}

const itemsOf = (jids: readonly string[]): Element[] => jids.map((jid) => xml('item', { jid }));

/** The items' JIDs, normalised (RFC 7622); jid-malformed names the first that is not a JID. */
function jidsOf(payload: Element): Array<{ jid: string; item: Element }> {
  return payload.getChildren('item').map((item) => {
    const raw = item.attrs.jid as string | undefined;
    if (raw === undefined) throw new StanzaError('bad-request', "every <item/> needs a 'jid' attribute");
    try {
      return { jid: parseJid(raw).toString(), item };
    } catch {
      throw new StanzaError('jid-malformed', `'${raw}' is not a valid JID`);
    }
  });
}

export function createCommands(ctx: ModuleContext, cache: BlocklistCache, own: OwnStanzas, options: BlockingOptions): Commands {
  /** §3.3/§3.4/§3.5: the change, as an IQ set, to every resource that asked for the list. */
  async function push(account: Jid, change: Element): Promise<void> {
    for (const ref of await ctx.sessions.byBareJid(account.toBareString())) {
      if (ref.flags[INTERESTED_FLAG] !== '1') continue;
      await ctx.delivery.toSession(ref, xml('iq', { type: 'set', id: ctx.ids.next(), from: account.toBareString(), to: ref.jid }, change));
    }
  }

  /** After a change is in storage: this node's copy goes, and the other nodes drop theirs. */
  async function changed(account: string): Promise<void> {
    cache.invalidate(account);
    await ctx.delivery.notifyNodes(BLOCKLIST_CHANGED, account);
  }

  return {
    async retrieve(request) {
      const account = ownAccount(request);
      const session = request.origin!;
      if (session.flags[INTERESTED_FLAG] !== '1') {
        session.flags[INTERESTED_FLAG] = '1';
        await ctx.sessions.update(session.ref());
      }
      const jids = await ctx.storage.blocklists.list(account);
      // Clients ask at every login: a cheap moment to drop a copy that went stale without this
      // node noticing (a change made on another node, or an account deleted and made again).
      cache.invalidate(account);
      return xml('blocklist', { xmlns: NS_BLOCKING }, ...itemsOf(jids));
    },

    async block(request) {
      const account = ownAccount(request);
      const entries = jidsOf(request.payload);
      if (entries.length === 0) throw new StanzaError('bad-request', "<block/> needs at least one <item jid='…'/>");
      const jids = entries.map((entry) => entry.jid);
      const added = await ctx.storage.blocklists.block(account, jids, options.maxItems);
      if (added === 'full') {
        throw new StanzaError('policy-violation', `a blocklist may hold at most ${options.maxItems} JIDs; unblock some first (nothing was blocked)`);
      }
      await changed(account);
      for (const { jid, item } of entries) {
        const report = reportIn(item);
        if (report) await storeReport(ctx, options.maxReportsPerAccount, account, jid, report);
      }
      await sendUnavailableOnBlock(ctx, own, request.to.bare, added);
      await push(request.to.bare, xml('block', { xmlns: NS_BLOCKING }, ...itemsOf([...new Set(jids)])));
      return null;
    },

    async unblock(request) {
      const account = ownAccount(request);
      const jids = jidsOf(request.payload).map((entry) => entry.jid);
      // §3.5: an empty <unblock/> empties the list.
      const removed = jids.length === 0 ? await ctx.storage.blocklists.unblockAll(account) : await ctx.storage.blocklists.unblock(account, jids);
      await changed(account);
      await sendPresenceOnUnblock(ctx, request.to.bare, removed, await cache.get(account));
      await push(request.to.bare, xml('unblock', { xmlns: NS_BLOCKING }, ...itemsOf([...new Set(jids)])));
      return null;
    },
  };
}
