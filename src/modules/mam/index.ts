// XEP-0313 Message Archive Management for user archives: every 1:1 message an account sends or
// receives is kept once, under the XEP-0359 stanza-id its clients see, and can be paged through
// with the XEP-0313 form and XEP-0059 RSM. Preferences (XEP-0441), retraction tombstones
// (XEP-0424) and retention are here too; the archive is deleted with the account (auth/accounts).
import type { HeraldModule } from '../../core/modules/module.js';
import { NS } from '../../xml/ns.js';
import { NS_MAM, NS_MAM_EXTENDED, NS_RETRACT, NS_RETRACT_TOMBSTONE } from './namespaces.js';
import { readMamOptions } from './options.js';
import { createArchiveWriter } from './archive-writer.js';
import { createPrefsCache } from './prefs-cache.js';
import { registerPrefs } from './prefs.js';
import { registerQueries } from './query.js';
import { registerRecorder } from './recorder.js';
import { scheduleExpiry } from './retention.js';

export const mamModule: HeraldModule = {
  name: 'mam',
  // Clients (Conversations, Gajim, Dino, Monal) expect an archive; what it costs per message is
  // in docs/benchmarks.md. `modules: { mam: { enabled: false } }` turns it off.
  enabledByDefault: true,
  load(ctx) {
    const options = readMamOptions(ctx.options);

    // §8: advertised on the archive's JID, the account's bare JID; XEP-0359 §2 likewise.
    ctx.on('disco/info', (event) => {
      if (event.target !== 'account' || event.node !== undefined) return;
      for (const feature of [NS_MAM, NS_MAM_EXTENDED, NS.stanzaId, NS_RETRACT, NS_RETRACT_TOMBSTONE]) event.features.add(feature);
    });

    const writer = createArchiveWriter(ctx.log);
    const prefsCache = createPrefsCache();
    registerRecorder(ctx, writer, prefsCache, options.defaultPreference);
    registerQueries(ctx, writer, options);
    registerPrefs(ctx, prefsCache, options.defaultPreference);
    if (options.retentionDays !== undefined) scheduleExpiry(ctx, options.retentionDays, options.expiryIntervalSeconds);
  },
};
