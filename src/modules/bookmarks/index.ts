// XEP-0402 §5 compatibility: XEP-0048 bookmarks, in XEP-0049 private XML storage (#compat) and
// in the `storage:bookmarks` PEP node (#compat-pep; XEP-0411), are the rooms of the XEP-0402 node.
//   storage  ctx.storage.pubsub (read: the account's urn:xmpp:bookmarks:1 and storage:bookmarks items)
//   events   private/get + private/set (storage:bookmarks), pep/changed (either node written by
//            a client), disco/info (account: #compat, #compat-pep, bookmarks-conversion)
//   IQ       sends pubsub publish/retract from the account to itself, so PEP stores and notifies
//            as it does for a client (modules never import each other).
// One source of truth: an old client's set becomes item publishes and retractions (only changed
// rooms, XEP-0402 §5: no notifications for unchanged ones); its get is built from the items.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import { publishRequest, setAsAccount } from '../../core/modules/account-iq.js';
import { moduleEnabled } from '../../core/modules/options.js';
import { buildElement } from '../../xml/element-builder.js';
import { xml, type Element } from '../../xml/element.js';
import { bookmarkOfItem, bookmarksOfLegacy, conferenceOf, legacyChanged, legacyStorageOf, NS_BOOKMARKS, NS_BOOKMARKS_LEGACY, type Bookmark } from './convert.js';

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
/** XEP-0048 §3.3: the one item of the old PEP node. */
const LEGACY_ITEM_ID = 'current';

/** XEP-0402 §3: the node's configuration every client publishes with. */
const BOOKMARKS_OPTIONS: Record<string, string> = {
  'pubsub#persist_items': 'true',
  'pubsub#max_items': 'max',
  'pubsub#send_last_published_item': 'never',
  'pubsub#access_model': 'whitelist',
};
/** XEP-0048 §3.3: private, persistent. */
const LEGACY_OPTIONS: Record<string, string> = { 'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist' };

async function storedBookmarks(ctx: ModuleContext, account: Jid): Promise<Bookmark[]> {
  // Oldest first, the order the rooms were added in.
  const items = (await ctx.storage.pubsub.items(account.toString(), NS_BOOKMARKS)).reverse();
  return items.map(bookmarkOfItem).filter((b): b is Bookmark => b !== undefined);
}

const pepSet = (ctx: ModuleContext, account: Jid, pubsub: Element) => setAsAccount(ctx, account, pubsub, 'the bookmarks could not be stored as XEP-0402 items');

async function storeLegacy(ctx: ModuleContext, account: Jid, storage: Element): Promise<void> {
  const stored = new Map((await storedBookmarks(ctx, account)).map((b) => [b.jid, b]));
  const incoming = bookmarksOfLegacy(storage);
  for (const bookmark of incoming) {
    const before = stored.get(bookmark.jid);
    if (before && !legacyChanged(before, bookmark)) continue;
    const item = xml('item', { id: bookmark.jid }, conferenceOf({ ...bookmark, ...(before?.extensions ? { extensions: before.extensions } : {}) }));
    await pepSet(ctx, account, publishRequest(NS_BOOKMARKS, item, BOOKMARKS_OPTIONS));
  }
  const kept = new Set(incoming.map((b) => b.jid));
  for (const jid of stored.keys()) {
    if (!kept.has(jid)) await pepSet(ctx, account, xml('pubsub', { xmlns: NS_PUBSUB }, xml('retract', { node: NS_BOOKMARKS, notify: 'true' }, xml('item', { id: jid }))));
  }
}

/** #compat-pep: the old PEP node's one item, rewritten from the XEP-0402 node. */
async function refreshLegacyPep(ctx: ModuleContext, account: Jid): Promise<void> {
  const storage = legacyStorageOf(await storedBookmarks(ctx, account));
  await pepSet(ctx, account, publishRequest(NS_BOOKMARKS_LEGACY, xml('item', { id: LEGACY_ITEM_ID }, storage), LEGACY_OPTIONS));
}

/** A client wrote one of the two PEP nodes: bring the other in line. */
async function mirrorPep(ctx: ModuleContext, account: Jid, node: string): Promise<void> {
  if (node === NS_BOOKMARKS) return refreshLegacyPep(ctx, account);
  const [latest] = await ctx.storage.pubsub.items(account.toString(), NS_BOOKMARKS_LEGACY, { max: 1 });
  const storage = latest && latest.payload !== '' ? buildElement(latest.payload) : undefined;
  if (storage?.name === 'storage' && storage.attrs.xmlns === NS_BOOKMARKS_LEGACY) await storeLegacy(ctx, account, storage);
}

export const bookmarksModule: HeraldModule = {
  name: 'bookmarks',
  enabledByDefault: true,

  load(ctx) {
    // The rooms live in PEP: without it, old clients' bookmarks stay plain private XML.
    if (!moduleEnabled(ctx, 'pep')) {
      ctx.log.info('pep module disabled: XEP-0048 bookmarks are not converted to XEP-0402');
      return;
    }
    const isLegacy = (name: string, namespace: string) => name === 'storage' && namespace === NS_BOOKMARKS_LEGACY;

    ctx.on('private/get', async (event) => {
      if (!isLegacy(event.name, event.namespace)) return false;
      event.result = legacyStorageOf(await storedBookmarks(ctx, event.account));
      return true;
    });

    ctx.on('private/set', async (event) => {
      if (!isLegacy(event.name, event.namespace) || !event.element) return false;
      await storeLegacy(ctx, event.account, event.element);
      await refreshLegacyPep(ctx, event.account);
      return true;
    });

    ctx.on('pep/changed', async ({ owner, node, requester }) => {
      // A bare requester is a module writing for the account (this one's own publishes): not mirrored again.
      if (requester.isBare || (node !== NS_BOOKMARKS && node !== NS_BOOKMARKS_LEGACY)) return false;
      await mirrorPep(ctx, owner, node);
      return false;
    });

    // XEP-0402 §5 and XEP-0411 §2: old clients' bookmarks, in private XML or in PEP, are the same rooms.
    ctx.on('disco/info', (event) => {
      if (event.target !== 'account' || event.node !== undefined) return;
      for (const feature of [`${NS_BOOKMARKS}#compat`, `${NS_BOOKMARKS}#compat-pep`, 'urn:xmpp:bookmarks-conversion:0']) event.features.add(feature);
    });
  },
};
