// XEP-0115 Entity Capabilities, server side: learns what local clients support from the caps in
// their presence, and what contacts' clients on other servers support from the presence they send
// local accounts (remote.ts); answers `caps/query` ("does this client support X?") and
// `caps/remote-resources` for other modules, and fires `caps/known` / `caps/remote-known`.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { PRE_PRESENCE_BARE, type CapsQueryEvent, type StanzaEvent } from '../../core/events.js';
import type { Element } from '../../xml/element.js';
import { CAPS_FLAG, createCapsDiscovery, type Announcement, type CapsDiscovery } from './discovery.js';
import { createRemoteCaps, type RemoteCaps } from './remote.js';
import { createRemoteCapsStore, REMOTE_CAPS_CHANGED } from './remote-store.js';
import { isSupportedHash } from './verification.js';

const NS_CAPS = 'http://jabber.org/protocol/caps';
const DEFAULT_TIMEOUT_MS = 10_000;

export const capsModule: HeraldModule = {
  name: 'caps',
  enabledByDefault: true,
  load(ctx) {
    const timeout = ctx.options.queryTimeoutMs;
    const discovery = createCapsDiscovery(ctx, typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS);

    // Ahead of the presence module, which claims the broadcast; this only looks.
    const store = createRemoteCapsStore(ctx);
    const remote = createRemoteCaps(ctx, discovery, store);
    // Another node learnt or forgot a remote resource's caps: our cached copy goes.
    ctx.on('node/notice', ({ topic, key }) => {
      if (topic === undefined || topic === REMOTE_CAPS_CHANGED) store.changedElsewhere(key);
      return false;
    });

    ctx.on(
      'pre-presence/bare',
      async ({ stanza, origin }) => {
        if (!origin || stanza.attrs.to !== undefined || stanza.attrs.type !== undefined) return false;
        const caps = announcementIn(stanza);
        if (caps) await discovery.announce(origin, caps);
        return false;
      },
      PRE_PRESENCE_BARE.learnCaps,
    );

    // Ahead of the presence module, which delivers it (and claims it); this only looks.
    ctx.on('presence/bare', (event) => learnRemote(ctx, remote, event), 10);
    ctx.on('caps/remote-resources', async (event) => {
      event.resources.push(...(await remote.resourcesOf(event.account, event.contact)));
    });
    ctx.on('caps/query', (event) => answer(ctx, discovery, remote, event));
  },
};

/** The caps a presence announces, if in a form we can verify. */
function announcementIn(stanza: Element): Announcement | undefined {
  const { hash, node, ver } = (stanza.getChild('c', NS_CAPS)?.attrs ?? {}) as Record<string, string | undefined>;
  // §5.4 step 1: no 'hash' is the legacy format, which we ignore. Step 2: an unsupported hash
  // could only be tied to this one JID, and we do not verify per JID.
  if (!hash || !node || !ver || !isSupportedHash(hash)) return undefined;
  return { hash, node, ver };
}

/**
 * Presence from a contact on another server to a local account: available with caps starts (or
 * reuses) verification; unavailable forgets the resource. Only from contacts subscribed to the
 * account's presence, the only ones whose interests matter (XEP-0163 §4.3.1), which also bounds
 * what a remote server can make us remember.
 */
async function learnRemote(ctx: ModuleContext, remote: RemoteCaps, { stanza, from, to }: StanzaEvent): Promise<boolean> {
  if (ctx.hosts.has(from.domain)) return false;
  const type = stanza.attrs.type;
  if (type === 'unavailable') {
    remote.unavailable(to.bare, from).catch((error: unknown) => ctx.log.warn({ err: error, jid: from.toString() }, 'caps: could not forget a remote resource'));
  }
  if (type !== undefined || from.isBare) return false;
  const caps = announcementIn(stanza);
  if (!caps) return false;
  try {
    const item = await ctx.storage.roster.getItem(to.toBareString(), from.toBareString());
    if (item?.subscription !== 'from' && item?.subscription !== 'both') return false;
    // Not awaited: the verification query goes over s2s and may take seconds.
    remote.announce(to.bare, from, caps).catch((error: unknown) => ctx.log.warn({ err: error, jid: from.toString() }, 'caps: remote discovery failed'));
  } catch (error) {
    ctx.log.warn({ err: error, jid: from.toString() }, 'caps: remote presence not handled');
  }
  return false;
}

/** Sets `supported` from the client's verified caps; true when it could answer. */
async function answer(ctx: ModuleContext, discovery: CapsDiscovery, remote: RemoteCaps, event: CapsQueryEvent): Promise<boolean> {
  try {
    const local = ctx.hosts.has(event.jid.domain);
    const ref = local ? await ctx.sessions.byFullJid(event.jid.toString()) : undefined;
    const ver = local ? ref?.flags[CAPS_FLAG] : event.account && (await remote.verOf(event.account, event.jid));
    const features = ver === undefined ? undefined : await discovery.features(ver);
    if (!features) return false;
    event.supported = features.includes(event.feature);
    return true;
  } catch (error) {
    ctx.log.warn({ err: error, jid: event.jid.toString() }, 'caps: query failed');
    return false;
  }
}
