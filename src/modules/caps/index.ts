// XEP-0115 Entity Capabilities, server side: learns what local clients support from the caps in
// their presence, and answers `caps/query` ("does this client support X?") for other modules.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import { PRE_PRESENCE_BARE, type CapsQueryEvent } from '../../core/events.js';
import { CAPS_FLAG, createCapsDiscovery, type CapsDiscovery } from './discovery.js';
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
    ctx.on(
      'pre-presence/bare',
      async ({ stanza, origin }) => {
        if (!origin || stanza.attrs.to !== undefined || stanza.attrs.type !== undefined) return false;
        const c = stanza.getChild('c', NS_CAPS);
        const { hash, node, ver } = (c?.attrs ?? {}) as Record<string, string | undefined>;
        // §5.4 step 1: no 'hash' is the legacy format, which we ignore. Step 2: an unsupported hash
        // could only be tied to this one JID, and we keep nothing per JID.
        if (!hash || !node || !ver || !isSupportedHash(hash)) return false;
        await discovery.announce(origin, { hash, node, ver });
        return false;
      },
      PRE_PRESENCE_BARE.learnCaps,
    );

    ctx.on('caps/query', (event) => answer(ctx, discovery, event));
  },
};

/** Sets `supported` from the client's verified caps; true when it could answer. */
async function answer(ctx: ModuleContext, discovery: CapsDiscovery, event: CapsQueryEvent): Promise<boolean> {
  try {
    const ref = await ctx.sessions.byFullJid(event.jid.toString());
    const ver = ref?.flags[CAPS_FLAG];
    const features = ver === undefined ? undefined : await discovery.features(ver);
    if (!features) return false;
    event.supported = features.includes(event.feature);
    return true;
  } catch (error) {
    ctx.log.warn({ err: error, jid: event.jid.toString() }, 'caps: query failed');
    return false;
  }
}
