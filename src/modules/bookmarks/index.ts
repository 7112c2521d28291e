// XEP-0402 §5 compatibility: XEP-0048 bookmarks kept in XEP-0049 private XML storage
// (`<storage xmlns='storage:bookmarks'/>`) are a view of the XEP-0402 node, one item per room.
//   storage  ctx.storage.pubsub (read: the account's urn:xmpp:bookmarks:1 items)
//   events   private/get + private/set (storage:bookmarks), disco/info (account: #compat)
//   IQ       sends pubsub publish/retract from the account to itself, so PEP stores and notifies
//            as it does for a client (modules never import each other).
// One source of truth: an old client's set becomes item publishes and retractions (only changed
// rooms, XEP-0402 §5: no notifications for unchanged ones); its get is built from the items.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import { stanzaErrorIn, StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { bookmarkOfItem, bookmarksOfLegacy, conferenceOf, legacyChanged, legacyStorageOf, NS_BOOKMARKS, NS_BOOKMARKS_LEGACY, type Bookmark } from './convert.js';

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';

/** XEP-0402 §3: the node's configuration every client publishes with. */
const PUBLISH_OPTIONS: Record<string, string> = {
  FORM_TYPE: 'http://jabber.org/protocol/pubsub#publish-options',
  'pubsub#persist_items': 'true',
  'pubsub#max_items': 'max',
  'pubsub#send_last_published_item': 'never',
  'pubsub#access_model': 'whitelist',
};

function publishOptionsForm(): Element {
  return xml(
    'x',
    { xmlns: 'jabber:x:data', type: 'submit' },
    Object.entries(PUBLISH_OPTIONS).map(([name, value]) => xml('field', { var: name, type: name === 'FORM_TYPE' ? 'hidden' : undefined }, xml('value', null, value))),
  );
}

async function storedBookmarks(ctx: ModuleContext, account: Jid): Promise<Bookmark[]> {
  // Oldest first, the order the rooms were added in.
  const items = (await ctx.storage.pubsub.items(account.toString(), NS_BOOKMARKS)).reverse();
  return items.map(bookmarkOfItem).filter((b): b is Bookmark => b !== undefined);
}

/** One pubsub set from the account to its own PEP service; its error is the client's. */
async function pepSet(ctx: ModuleContext, account: Jid, pubsub: Element): Promise<void> {
  const owner = account.toString();
  const answer = await ctx.requestIq(xml('iq', { type: 'set', id: ctx.ids.next(), from: owner, to: owner }, pubsub));
  if (answer.attrs.type !== 'error') return;
  const error = stanzaErrorIn(answer);
  throw new StanzaError(error.condition, `the bookmarks could not be stored as XEP-0402 items: ${error.text ?? error.condition}`);
}

async function storeLegacy(ctx: ModuleContext, account: Jid, storage: Element): Promise<void> {
  const stored = new Map((await storedBookmarks(ctx, account)).map((b) => [b.jid, b]));
  const incoming = bookmarksOfLegacy(storage);
  for (const bookmark of incoming) {
    const before = stored.get(bookmark.jid);
    if (before && !legacyChanged(before, bookmark)) continue;
    const item = xml('item', { id: bookmark.jid }, conferenceOf({ ...bookmark, ...(before?.extensions ? { extensions: before.extensions } : {}) }));
    await pepSet(ctx, account, xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node: NS_BOOKMARKS }, item), xml('publish-options', null, publishOptionsForm())));
  }
  const kept = new Set(incoming.map((b) => b.jid));
  for (const jid of stored.keys()) {
    if (!kept.has(jid)) await pepSet(ctx, account, xml('pubsub', { xmlns: NS_PUBSUB }, xml('retract', { node: NS_BOOKMARKS, notify: 'true' }, xml('item', { id: jid }))));
  }
}

export const bookmarksModule: HeraldModule = {
  name: 'bookmarks',
  enabledByDefault: true,

  load(ctx) {
    const isLegacy = (name: string, namespace: string) => name === 'storage' && namespace === NS_BOOKMARKS_LEGACY;

    ctx.on('private/get', async (event) => {
      if (!isLegacy(event.name, event.namespace)) return false;
      event.result = legacyStorageOf(await storedBookmarks(ctx, event.account));
      return true;
    });

    ctx.on('private/set', async (event) => {
      if (!isLegacy(event.name, event.namespace) || !event.element) return false;
      await storeLegacy(ctx, event.account, event.element);
      return true;
    });

    // XEP-0402 §5: tells new clients that old clients' private-storage bookmarks are the same rooms.
    ctx.on('disco/info', (event) => {
      if (event.target === 'account' && event.node === undefined) event.features.add(`${NS_BOOKMARKS}#compat`);
    });
  },
};
