// Rosters and presence subscriptions (RFC 6121 §2, §3, Appendix A), with roster versioning
// (§2.6) and subscription pre-approval (§3.4). Presence to and from contacts is the presence
// module's; it learns of subscription changes from `roster/changed`.
import type { HeraldModule } from '../../core/modules/module.js';
import { positiveIntegerOption } from '../../core/modules/options.js';
import { xml } from '../../xml/element.js';
import { registerRosterIq } from './iq.js';
import { NS_PRE_APPROVAL, NS_ROSTER_VERSIONING } from './items.js';
import { createRosterStore } from './store.js';
import { registerSubscriptions } from './subscriptions.js';

const DEFAULT_MAX_ITEMS = 1000;
const DEFAULT_MAX_NAME_LENGTH = 1023;
/** Real clients file a contact under a handful of groups; each group costs up to maxNameLength. */
const DEFAULT_MAX_GROUPS_PER_ITEM = 20;
/** Inbound requests awaiting an answer; any federated server can invent requesting JIDs. */
const DEFAULT_MAX_PENDING_REQUESTS = 1000;
const DEFAULT_MAX_PENDING_REQUEST_BYTES = 1024 * 1024;


export const rosterModule: HeraldModule = {
  name: 'roster',
  enabledByDefault: true,

  load(ctx) {
    const limits = {
      maxItems: positiveIntegerOption(ctx, 'maxItems', DEFAULT_MAX_ITEMS),
      maxNameLength: positiveIntegerOption(ctx, 'maxNameLength', DEFAULT_MAX_NAME_LENGTH),
      maxGroupsPerItem: positiveIntegerOption(ctx, 'maxGroupsPerItem', DEFAULT_MAX_GROUPS_PER_ITEM),
      pending: {
        maxCount: positiveIntegerOption(ctx, 'maxPendingRequests', DEFAULT_MAX_PENDING_REQUESTS),
        maxBytes: positiveIntegerOption(ctx, 'maxPendingRequestBytes', DEFAULT_MAX_PENDING_REQUEST_BYTES),
      },
    };
    const store = createRosterStore(ctx);

    // Both are offered once the client has authenticated (RFC 6121 §2.6.1, §3.4.1).
    ctx.on('c2s/features', (event) => {
      if (event.stage !== 'post-auth') return;
      event.features.push(xml('ver', { xmlns: NS_ROSTER_VERSIONING }), xml('sub', { xmlns: NS_PRE_APPROVAL }));
    });

    registerRosterIq(ctx, store, limits);
    registerSubscriptions(ctx, store, limits);
  },
};
