// XEP-0077 In-Band Registration, switched per domain by `registration.enabled`: on a domain where
// it is off the module advertises nothing and leaves account IQs to the core.
import { xml } from '../../xml/element.js';
import { positiveIntegerOption } from '../../core/modules/options.js';
import { NS } from '../../xml/ns.js';
import type { HeraldModule } from '../../core/modules/module.js';
import { createRateLimiter } from './rate-limit.js';
import { createPreAuthHandler } from './pre-auth.js';
import { ACCOUNT_IQ_PRIORITY, createAccountHandler } from './account.js';

const DEFAULT_PER_ADDRESS_PER_MINUTE = 5;


export const registerModule: HeraldModule = {
  name: 'register',
  enabledByDefault: true,

  load(ctx) {
    const enabled = (domain: string) => ctx.hosts.get(domain)?.registration.enabled === true;
    const limiter = createRateLimiter({
      limit: positiveIntegerOption(ctx, 'perAddressPerMinute', DEFAULT_PER_ADDRESS_PER_MINUTE),
      windowMs: 60_000,
      clock: ctx.clock,
    });

    // XEP-0077 §8: offered to clients before they authenticate.
    ctx.on('c2s/features', (event) => {
      if (event.stage === 'pre-auth' && enabled(event.domain)) event.features.push(xml('register', { xmlns: NS.registerFeature }));
    });
    ctx.on('disco/info', (event) => {
      if (event.target === 'host' && event.node === undefined && enabled(event.domain)) event.features.add(NS.register);
    });
    ctx.on('c2s/unauthenticated-stanza', createPreAuthHandler({ ctx, enabled, limiter }));

    const onAccountIq = createAccountHandler(ctx, enabled);
    ctx.on('iq/host', onAccountIq, ACCOUNT_IQ_PRIORITY);
    ctx.on('iq/bare', onAccountIq, ACCOUNT_IQ_PRIORITY);
  },
};
