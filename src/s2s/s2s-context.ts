// What the server-to-server side needs from the rest of Herald; built in server.ts.
import type { HeraldConfig } from '../config/types.js';
import type { Hosts } from '../core/hosts.js';
import type { EventBus } from '../core/event-bus.js';
import type { Router } from '../core/router.js';
import type { Delivery } from '../core/delivery.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { S2sResolver } from './resolver.js';
import type { S2sTls } from './s2s-tls.js';

export interface S2sContext {
  config: HeraldConfig;
  hosts: Hosts;
  router: Router;
  tls: S2sTls;
  resolver: S2sResolver;
  /** Dialback secret (XEP-0185). */
  secret: string;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Traffic observers (`s2s/stanza-in`, `s2s/stanza-out`); absent in tests that build links alone. */
  events?: Pick<EventBus, 'notify'>;
  /** What a peer's XEP-0198 count waits for (stanzas handed to another node, held there). */
  delivery?: Pick<Delivery, 'settled'>;
}

/** Stream options shared by both directions. */
export function s2sStreamOptions(ctx: S2sContext, log: Logger) {
  const limits = ctx.config.limits;
  return {
    limits,
    bytesPerSecond: limits.bytesPerSecond,
    idleTimeoutMs: ctx.config.s2s.idleTimeoutSeconds * 1000,
    maxOutboundBytes: 16 * 1024 * 1024,
    clock: ctx.clock,
    log,
    contentNamespace: 'jabber:server',
  };
}
