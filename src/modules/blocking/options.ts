// modules.blocking.options: limits on what one account can make the server keep.
import type { ModuleContext } from '../../core/modules/module.js';
import { positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';

export interface BlockingOptions {
  /** JIDs one blocklist may hold. */
  maxItems: number;
  /** XEP-0377 reports one account may have stored; later ones still block, unreported. */
  maxReportsPerAccount: number;
  /** Accounts whose blocklists stay in memory (two generations of this many). */
  cacheSize: number;
}

export function readBlockingOptions(ctx: ModuleContext): BlockingOptions {
  rejectUnknownOptions(ctx, ['maxItems', 'maxReportsPerAccount', 'cacheSize']);
  return {
    // Prosody and ejabberd set none; 1,000 is far above what people block by hand, yet keeps a
    // list small enough to load and check on every stanza.
    maxItems: positiveIntegerOption(ctx, 'maxItems', 1000),
    maxReportsPerAccount: positiveIntegerOption(ctx, 'maxReportsPerAccount', 100),
    cacheSize: positiveIntegerOption(ctx, 'cacheSize', 10_000),
  };
}
