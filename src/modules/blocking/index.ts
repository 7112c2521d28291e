// XEP-0191 Blocking Command with XEP-0377 reports: an account blocks JIDs, bare or full, or whole
// domains; nothing from them reaches it and nothing it sends reaches them.
//   storage  ctx.storage.blocklists, ctx.storage.abuseReports (src/storage/*/blocking.ts);
//            blocklists are deleted with the account, reports stay for `herald reports`
//   IQ       urn:xmpp:blocking blocklist (get), block and unblock (set), from the account itself
//   events   message/presence/iq to a local account (INBOUND_FILTER): from a blocked entity, refused
//            stanza/outbound: to a blocked entity, refused
//            message/replay: a message stored offline before its sender was blocked is discarded
//            node/notice: another node changed an account's list (BLOCKLIST_CHANGED): its copy goes
//   disco    urn:xmpp:blocking and urn:xmpp:reporting:1 on the server and on accounts
import { INBOUND_FILTER, type StanzaEvent } from '../../core/events.js';
import type { HeraldModule } from '../../core/modules/module.js';
import { BLOCKLIST_CHANGED, createBlocklistCache } from './cache.js';
import { createCommands } from './commands.js';
import { inboundFilter, outboundFilter, replayFilter, type OwnStanzas } from './filters.js';
import { NS_BLOCKING, NS_REPORTING } from './namespaces.js';
import { readBlockingOptions } from './options.js';

export const blockingModule: HeraldModule = {
  name: 'blocking',
  enabledByDefault: true,
  load(ctx) {
    const options = readBlockingOptions(ctx);
    const cache = createBlocklistCache(ctx.storage.blocklists, options.cacheSize);
    const own: OwnStanzas = new WeakSet();
    const commands = createCommands(ctx, cache, own, options);

    // XEP-0191 §3.1 asks the server; some clients ask the account, so both answer.
    ctx.on('disco/info', (event) => {
      if (event.node === undefined) for (const feature of [NS_BLOCKING, NS_REPORTING]) event.features.add(feature);
    });

    ctx.handleIq({ target: 'account', type: 'get', xmlns: NS_BLOCKING, name: 'blocklist', handler: (request) => commands.retrieve(request) });
    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_BLOCKING, name: 'block', handler: (request) => commands.block(request) });
    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_BLOCKING, name: 'unblock', handler: (request) => commands.unblock(request) });

    ctx.on('node/notice', ({ topic, key }) => {
      if (topic === undefined) cache.clear();
      else if (topic === BLOCKLIST_CHANGED && key !== undefined) cache.invalidate(key);
      return false;
    });

    const inbound = (event: StanzaEvent): boolean | Promise<boolean> => inboundFilter(ctx, cache, own, event);
    for (const kind of ['message', 'presence', 'iq'] as const) {
      ctx.on(`${kind}/full`, inbound, INBOUND_FILTER);
      ctx.on(`${kind}/bare`, inbound, INBOUND_FILTER);
    }
    ctx.on('stanza/outbound', (event) => outboundFilter(cache, own, event));
    ctx.on('message/replay', (event) => replayFilter(cache, event));
  },
};
