// Invitations: XEP-0401 Easy User Onboarding with XEP-0445 ibr-token (register with a token even
// where open registration is off) and XEP-0379 pre-authenticated roster subscription (the
// invitee and the inviting account become contacts). Tokens are made by `herald invite create`.
import type { HeraldModule } from '../../core/modules/module.js';
import type { PreAuthStream } from '../../core/events.js';
import { positiveIntegerOption } from '../../core/modules/options.js';
import { xml } from '../../xml/element.js';
import { registerAdmission } from './admission.js';
import { registerRosterPreauth } from './roster-preauth.js';
import { scheduleInviteExpiry } from './expiry.js';
import { INVITE_NS } from './namespaces.js';
import { registerPreauthIq } from './preauth-iq.js';
import { registerInviteCommands } from './commands.js';
import { serveLandingPage } from './landing-page.js';

/** Redeemed invites are kept this long for `herald invite list`, then swept. */
const DEFAULT_KEEP_USED_DAYS = 30;
const DEFAULT_SWEEP_SECONDS = 3600;
/** Invitations users make from their clients (XEP-0401 commands). */
const DEFAULT_TTL_DAYS = 7;
const DEFAULT_MAX_OPEN_PER_USER = 20;

export const invitesModule: HeraldModule = {
  name: 'invites',
  enabledByDefault: true,

  load(ctx) {
    // Per-stream state only: which invite this not-yet-authenticated stream presented.
    const presented = new WeakMap<PreAuthStream, string>();

    // XEP-0445 §3 (and XEP-0401's older feature, which Conversations and Siskin look for).
    ctx.on('c2s/features', (event) => {
      if (event.stage !== 'pre-auth') return;
      event.features.push(xml('register', { xmlns: INVITE_NS.ibrToken }), xml('register', { xmlns: INVITE_NS.legacyInvite }));
    });
    registerPreauthIq(ctx, presented);
    registerAdmission(ctx, presented);
    registerRosterPreauth(ctx);
    serveLandingPage(ctx, presented);
    registerInviteCommands(ctx, {
      ttlMs: positiveIntegerOption(ctx, 'ttlDays', DEFAULT_TTL_DAYS) * 86_400_000,
      maxOpenPerUser: positiveIntegerOption(ctx, 'maxOpenPerUser', DEFAULT_MAX_OPEN_PER_USER),
    });
    scheduleInviteExpiry(ctx, {
      keepUsedDays: positiveIntegerOption(ctx, 'keepUsedDays', DEFAULT_KEEP_USED_DAYS),
      intervalSeconds: positiveIntegerOption(ctx, 'sweepIntervalSeconds', DEFAULT_SWEEP_SECONDS),
    });
  },
};
