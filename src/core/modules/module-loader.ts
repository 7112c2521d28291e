import type { HeraldConfig } from '../../config/types.js';
import type { EventBus } from '../event-bus.js';
import type { IqDispatcher } from '../iq-dispatcher.js';
import type { HeraldModule, ModuleContext } from './module.js';
import type { HttpRoutes } from '../../http/http-routes.js';
import type { Components } from '../components.js';

export type ModuleServices = Omit<ModuleContext, 'name' | 'options' | 'log' | 'on' | 'fire' | 'fireNow' | 'handleIq' | 'requestIq' | 'serveHttp' | 'httpsUrl' | 'serveDomain' | 'onUnload'> & {
  log: ModuleContext['log'];
  http: HttpRoutes;
  components: Components;
};

export interface LoadedModules {
  names(): string[];
  unloadAll(): void;
}

/** Loads the configured modules, giving each a context whose registrations it can undo. */
export async function loadModules(
  available: readonly HeraldModule[],
  config: HeraldConfig,
  services: ModuleServices,
  events: EventBus,
  iq: IqDispatcher,
): Promise<LoadedModules> {
  const unloaders = new Map<string, Array<() => void>>();
  for (const unknownName of Object.keys(config.modules)) {
    if (!available.some((m) => m.name === unknownName)) {
      throw new Error(`${config.sourceFile ?? 'configuration'}: modules.${unknownName}: expected one of ${available.map((m) => m.name).join(', ')}, found unknown module '${unknownName}'`);
    }
  }
  for (const module of available) {
    const settings = config.modules[module.name];
    if (!(settings?.enabled ?? module.enabledByDefault)) continue;
    const undo: Array<() => void> = [];
    unloaders.set(module.name, undo);
    const { http, components, ...shared } = services;
    const ctx: ModuleContext = {
      ...shared,
      name: module.name,
      options: settings?.options ?? {},
      log: services.log.child({ module: module.name }),
      on: (name, handler, priority) => void undo.push(events.on(name, handler, priority)),
      fire: (name, payload) => events.fire(name, payload),
      fireNow: (name, payload) => events.fireNow(name, payload),
      handleIq: (spec) => void undo.push(iq.handle(spec)),
      requestIq: (request, timeoutMs) => iq.request(request, timeoutMs),
      serveHttp: (route) => void undo.push(http.add(route)),
      // http.publicUrl (a reverse proxy in front) wins over the listener's own address.
      httpsUrl: (domain) => config.http.publicUrl ?? http.publicUrl(domain),
      serveDomain: (domain, handler) => void undo.push(components.add(domain, handler)),
      onUnload: (cleanup) => void undo.push(cleanup),
    };
    await module.load(ctx);
  }
  return {
    names: () => [...unloaders.keys()],
    unloadAll() {
      for (const undo of unloaders.values()) for (const fn of undo.reverse()) fn();
      unloaders.clear();
    },
  };
}
