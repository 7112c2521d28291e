import type { HeraldConfig } from '../../config/types.js';
import type { Element } from '../../xml/element.js';
import type { Storage } from '../../storage/types.js';
import type { Accounts } from '../../auth/accounts.js';
import type { Logger } from '../../util/logger.js';
import type { Clock, IdGenerator } from '../../util/clock.js';
import type { EventHandler } from '../event-bus.js';
import type { EventCatalogue, EventName } from '../events.js';
import type { Hosts } from '../hosts.js';
import type { Router } from '../router.js';
import type { Delivery } from '../delivery.js';
import type { IqHandlerSpec } from '../iq-dispatcher.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { HttpRoute } from '../../http/http-routes.js';
import type { ComponentHandler } from '../components.js';

/** Everything a feature module may use. Registrations made through it are undone on unload. */
export interface ModuleContext {
  readonly name: string;
  readonly config: HeraldConfig;
  /** This module's `modules.<name>.options` from the configuration. */
  readonly options: Record<string, unknown>;
  readonly log: Logger;
  readonly hosts: Hosts;
  readonly router: Router;
  readonly sessions: SessionRegistry;
  readonly delivery: Delivery;
  readonly storage: Storage;
  readonly accounts: Accounts;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  on<K extends EventName>(name: K, handler: EventHandler<K>, priority?: number): void;
  /** Fires an event of the catalogue; resolves true when a handler claimed it. */
  fire<K extends EventName>(name: K, payload: EventCatalogue[K]): Promise<boolean>;
  /** fire without a promise when every handler answered at once (EventBus.fireNow). */
  fireNow<K extends EventName>(name: K, payload: EventCatalogue[K]): boolean | Promise<boolean>;
  handleIq(spec: IqHandlerSpec): void;
  /** Sends an IQ and resolves with its answer (see IqDispatcher.request). */
  requestIq(iq: Element, timeoutMs?: number): Promise<Element>;
  /** Serves a component domain (e.g. upload.<domain>): every stanza to it comes to `handler` (undone on unload). */
  serveDomain(domain: string, handler: ComponentHandler): void;
  /** Serves a path on the HTTP(S) listeners (undone on unload). */
  serveHttp(route: HttpRoute): void;
  /** Where people reach the HTTPS routes: `http.publicUrl` when configured, else `https://<domain>[:port]`
   *  of the HTTPS listener once it is up; undefined when neither. */
  httpsUrl(domain: string): string | undefined;
  /** Extra clean-up to run on unload. */
  onUnload(cleanup: () => void): void;
}

export interface HeraldModule {
  readonly name: string;
  /** Loaded unless the configuration says `enabled: false` (or, when false, unless it says true). */
  readonly enabledByDefault: boolean;
  load(ctx: ModuleContext): void | Promise<void>;
}
