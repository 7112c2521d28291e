import type { HeraldConfig } from '../config/types.js';
import type { EventBus } from '../core/event-bus.js';
import type { Hosts } from '../core/hosts.js';
import type { Router } from '../core/router.js';
import type { Delivery } from '../core/delivery.js';
import type { SessionRegistry } from '../core/sessions/session-registry.js';
import type { Storage } from '../storage/types.js';
import type { TlsContexts } from '../net/tls-contexts.js';
import type { AuthFailureThrottle } from '../auth/failure-throttle.js';
import type { AddressLimits } from '../net/address-limits.js';
import type { AccountGuard } from '../auth/account-guard.js';
import type { SaslMechanismFactory } from './sasl/mechanism.js';
import type { ResumptionTable } from './stream-management/resumption-table.js';
import type { ClientSession } from './client-session.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** What every client session needs from the server, built once by the composition root. */
export interface C2sContext {
  nodeId: string;
  config: HeraldConfig;
  hosts: Hosts;
  events: EventBus;
  router: Router;
  sessions: SessionRegistry;
  delivery: Delivery;
  storage: Storage;
  tls: TlsContexts;
  mechanisms: readonly SaslMechanismFactory[];
  /** XEP-0198 sessions that can be resumed, by resumption id. */
  resumptions: ResumptionTable<ClientSession>;
  authThrottle: AuthFailureThrottle;
  /** Failed logins per account, across connections and addresses (locks). */
  accountGuard: AccountGuard;
  /** Open and unauthenticated client connections per address. */
  addressLimits: AddressLimits;
  /** Secret for SCRAM fake salts of unknown users (so they look like real ones). */
  serverSecret: Buffer;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}
