// The pep module's options (modules.pep.options in the configuration): what one account may
// store. Checked at start-up; a bad value stops Herald naming the file, the key and what was expected.
import type { ModuleContext } from '../../core/modules/module.js';

export interface PepLimits {
  /** Items one node keeps at most; also what max_items=max means. */
  maxItemsPerNode: number;
  /** Serialised size of one item's payload. */
  maxItemBytes: number;
  /** Nodes one account may own. */
  maxNodesPerAccount: number;
  /** UTF-8 bytes of item payloads one account may hold in all its nodes together. */
  maxBytesPerAccount: number;
}

/**
 * Prosody's PEP keeps at most 256 items a node (pep_max_items); XEP-0490 (MDS) and bookmarks keep
 * one item per chat, so this leaves room for hundreds of rooms. 128 KiB fits an avatar data node
 * (XEP-0084) while staying below limits.maxStanzaBytes; OMEMO uses one node per device, hence 200.
 * Those three alone would let one account store 200 × 256 × 128 KiB (6.4 GiB); real accounts hold
 * well under 1 MiB (avatar, OMEMO bundles, bookmarks), so 16 MiB in all is the real bound.
 */
export const DEFAULT_PEP_LIMITS: PepLimits = { maxItemsPerNode: 256, maxItemBytes: 128 * 1024, maxNodesPerAccount: 200, maxBytesPerAccount: 16 * 1024 * 1024 };

export function readPepLimits(ctx: ModuleContext): PepLimits {
  const source = ctx.config.sourceFile ?? 'configuration';
  const positive = (key: keyof PepLimits): number => {
    const value = ctx.options[key];
    if (value === undefined) return DEFAULT_PEP_LIMITS[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`${source}: modules.pep.options.${key}: expected a positive integer, found ${JSON.stringify(value)}`);
    }
    return value;
  };
  const limits: PepLimits = {
    maxItemsPerNode: positive('maxItemsPerNode'),
    maxItemBytes: positive('maxItemBytes'),
    maxNodesPerAccount: positive('maxNodesPerAccount'),
    maxBytesPerAccount: positive('maxBytesPerAccount'),
  };
  for (const key of Object.keys(ctx.options)) {
    if (!(key in DEFAULT_PEP_LIMITS)) {
      throw new Error(`${source}: modules.pep.options.${key}: expected one of ${Object.keys(DEFAULT_PEP_LIMITS).join(', ')}, found unknown option '${key}'`);
    }
  }
  return limits;
}
