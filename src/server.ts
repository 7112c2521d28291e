// Composition root: builds every object explicitly and wires dependencies; no globals.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { HeraldConfig } from './config/types.js';
import { createEventBus } from './core/event-bus.js';
import { createHosts } from './core/hosts.js';
import { createRouter } from './core/router.js';
import { createIqDispatcher } from './core/iq-dispatcher.js';
import { createDelivery } from './core/delivery.js';
import { createLocalSessionRegistry } from './core/sessions/local-session-registry.js';
import { loadModules, type LoadedModules } from './core/modules/module-loader.js';
import type { HeraldModule } from './core/modules/module.js';
import { createSingleNodeBus } from './cluster/node-bus.js';
import { describeStorage, openStorage, storageOptions } from './storage/open-storage.js';
import { createBusReceiver } from './cluster/bus-receiver.js';
import { stableNodeId } from './cluster/node-id.js';
import type { RedisCluster } from './cluster/redis/cluster.js';
import { redisKeys } from './cluster/redis/keys.js';
import type { Storage } from './storage/types.js';
import { timedStorage } from './storage/timed-storage.js';
import { createAccounts } from './auth/accounts.js';
import { createAuthFailureThrottle } from './auth/failure-throttle.js';
import { createInProcessAccountGuard } from './auth/account-guard.js';
import { defaultMechanisms } from './c2s/sasl/index.js';
import { ClientConnection } from './c2s/client-connection.js';
import { ClientSession } from './c2s/client-session.js';
import { ResumptionTable } from './c2s/stream-management/resumption-table.js';
import type { C2sContext } from './c2s/c2s-context.js';
import { ensureCertificates } from './net/certificates.js';
import { createTlsContexts } from './net/tls-contexts.js';
import { listenDirectTls, listenPlain, type ListenerHandle } from './net/c2s-listeners.js';
import { createAddressLimits, type AddressAdmission } from './net/address-limits.js';
import { createAddressGate } from './net/address-gate.js';
import { StreamError } from './protocol/stream-error.js';
import { builtinModules } from './modules/index.js';
import { startS2s, type S2sHandle } from './s2s/start-s2s.js';
import { createHttpRoutes } from './http/http-routes.js';
import { createComponents } from './core/components.js';
import { startHttpListeners } from './http/http-listener.js';
import { createWebSocketEndpoint } from './http/websocket/websocket-endpoint.js';
import { WEBSOCKET_FRAMING } from './http/websocket/framing.js';
import type { WebSocketStreamSocket } from './http/websocket/websocket-socket.js';
import { adminSocketPath, startAdminServer, type AdminServer } from './admin/admin-server.js';
import { processMemory } from './admin/process-memory.js';
import { listSessions } from './admin/session-listing.js';
import { createRandomIds, systemClock, type Clock, type IdGenerator } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { LogRing } from './util/log-ring.js';

export interface HeraldServer {
  readonly listeners: readonly ListenerHandle[];
  readonly modules: readonly string[];
  /** Re-reads certificate files (SIGHUP). */
  reloadCertificates(): void;
  /** Stops accepting, closes every stream with system-shutdown, closes storage. */
  stop(): Promise<void>;
}

export interface ServerDeps {
  config: HeraldConfig;
  log: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  storage?: Storage;
  modules?: readonly HeraldModule[];
  /** The newest log lines, kept by whoever made `log` (herald start), for the admin console. */
  logRing?: LogRing;
}

export async function startServer(deps: ServerDeps): Promise<HeraldServer> {
  const { config, log } = deps;
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createRandomIds(undefined, clock);
  const firstDomain = config.domains[0];
  if (!firstDomain) throw new Error('no domain configured');
  const redisUrl = config.cluster?.redisUrl;
  const nodeId = config.cluster?.nodeId ?? (redisUrl ? stableNodeId(config.storage.dataDir) : ids.next());
  // Several nodes: the registry and bus live in Redis (docs/scale-out.md); one node: in process.
  // Loaded only then: one node never pays for the Redis client, not even its start-up import.
  const cluster: RedisCluster | undefined = redisUrl
    ? await (await import('./cluster/redis/cluster.js')).openRedisCluster({ url: redisUrl, nodeId, log })
    : undefined;

  const events = createEventBus();
  const logRing = deps.logRing;
  if (logRing) events.on('log/recent', (event) => void event.lines.push(...logRing.recent(event.max)));
  // Storage calls are timed for observers (metrics) only while one listens.
  const onCheckpointFailure = (err: unknown): void => log.warn({ err }, 'the SQLite checkpoint worker stopped; commits checkpoint the files themselves again');
  const storage = timedStorage(deps.storage ?? (await openStorage(storageOptions(config), { onCheckpointFailure })), {
    active: () => events.has('storage/timed'),
    record: (repository, seconds) => events.notify('storage/timed', { repository, seconds }),
  });
  if (!deps.storage) log.info({ storage: describeStorage(storageOptions(config)) }, 'storage ready');
  const tls = createTlsContexts(ensureCertificates(config, log), firstDomain.name);
  const hosts = createHosts(config.domains);
  const sessions = cluster?.registry ?? createLocalSessionRegistry();
  const delivery = createDelivery(nodeId, cluster?.bus ?? createSingleNodeBus());
  // Federation: the router's remote path is bound before the router exists, hence the late lookup.
  let s2s: S2sHandle | undefined;
  const remote = config.listeners.s2s.enabled
    ? { send: (...args: Parameters<S2sHandle['links']['send']>) => s2s!.links.send(...args) }
    : undefined;
  const components = createComponents();
  const router = createRouter({ events, hosts, log, components, ...(remote ? { remote } : {}) });
  const iq = createIqDispatcher({ events, sink: router, sessions, delivery, log });
  const accounts = createAccounts({ storage, iterations: config.auth.scramIterations, clock });
  const httpRoutes = createHttpRoutes();

  let modules: LoadedModules;
  try {
    modules = await loadModules(
      deps.modules ?? builtinModules,
      config,
      { config, log, hosts, router, sessions, delivery, storage, accounts, clock, ids, http: httpRoutes, components },
      events,
      iq,
    );
    await cluster?.start(createBusReceiver({ delivery, router, events, log }), () => delivery.local.values(), async (refs, reason) => {
      for (const ref of refs) await events.fire('session/lost', { ref, reason });
    });
  } catch (error) {
    await cluster?.stop();
    await storage.close();
    throw error;
  }

  const c2s: C2sContext = {
    nodeId,
    config,
    hosts,
    events,
    router,
    sessions,
    delivery,
    storage,
    tls,
    mechanisms: defaultMechanisms(),
    resumptions: new ResumptionTable<ClientSession>(),
    authThrottle: createAuthFailureThrottle({ failuresPerMinute: config.limits.authFailuresPerMinute, clock }),
    // Guesses spread over several nodes must count together: the cluster keeps one guard.
    accountGuard: (cluster ? cluster.accountGuard : createInProcessAccountGuard)({
      failuresToLock: config.limits.authFailuresPerAccount,
      lockSeconds: config.limits.authLockSeconds,
      clock,
    }),
    addressLimits: createAddressLimits(config.limits),
    // Fake SCRAM salts for unknown accounts must match on every node, or comparing nodes tells.
    serverSecret: cluster ? Buffer.from(await cluster.sharedSecret(redisKeys.scramFakeSecret), 'hex') : randomBytes(32),
    clock,
    ids,
    log,
  };

  // Every open client stream, bound or not, so a shutdown can close each one properly.
  const streams = new Map<Socket | WebSocketStreamSocket, ClientConnection>();
  function forgetStream(this: Socket | WebSocketStreamSocket): void {
    streams.delete(this);
  }
  const accept = (directTls: boolean) => (socket: Socket, admission: AddressAdmission | undefined) => {
    streams.set(socket, new ClientConnection(c2s, socket, directTls, admission));
    socket.once('close', forgetStream);
  };
  // RFC 7395: the same client connection over a WebSocket, secured by the HTTPS under it.
  const websocket = createWebSocketEndpoint({
    maxStanzaBytes: config.limits.maxStanzaBytes,
    addressLimits: c2s.addressLimits,
    log,
    accept(socket, admission) {
      streams.set(socket, new ClientConnection(c2s, socket, socket.underlyingTls !== undefined, admission, WEBSOCKET_FRAMING));
      socket.once('close', forgetStream);
    },
  });
  const listeners: ListenerHandle[] = [];
  try {
    const { c2s: plain, c2sDirectTls: direct } = config.listeners;
    if (plain.enabled) {
      listeners.push(await listenPlain('c2s', plain, log, accept(false), createAddressGate(c2s.addressLimits, log, true)));
    }
    if (direct.enabled) {
      listeners.push(
        await listenDirectTls('c2s-direct-tls', direct, tls, 'xmpp-client', log, accept(true), {
          handshakeTimeoutMs: config.limits.tlsHandshakeTimeoutSeconds * 1000,
          gate: createAddressGate(c2s.addressLimits, log, false),
        }),
      );
    }
    const { http, https } = config.listeners;
    if (http.enabled || https.enabled) {
      const policy = {
        trustedProxies: new Set(config.http.trustedProxies),
        isHosted: (name: string) => hosts.has(name),
        firstDomain: firstDomain.name,
      };
      const httpListeners = await startHttpListeners({
        http: config.http,
        listeners: { http, https },
        tls,
        policy,
        routes: httpRoutes,
        websocket,
        tlsHandshakeTimeoutMs: config.limits.tlsHandshakeTimeoutSeconds * 1000,
        log,
      });
      listeners.push(...httpListeners);
    }
    if (config.listeners.s2s.enabled) {
      // Dialback keys must verify on any node: without a configured secret the cluster shares one.
      const s2sConfig = cluster && !config.s2s.secret ? { ...config, s2s: { ...config.s2s, secret: await cluster.sharedSecret(redisKeys.dialbackSecret) } } : config;
      // Component domains (MUC, upload) federate too: a remote user joins a room here, a room
      // sends to remote occupants. Only `has` matters to s2s (accepting and originating streams).
      const federated = { ...hosts, has: (domain: string) => hosts.has(domain) || components.find(domain) !== undefined };
      s2s = await startS2s({ config: s2sConfig, hosts: federated, router, tls, clock, ids, log, held: storage.held, events, delivery });
      events.on('s2s/links', (event) => void event.links.push(...s2s!.status()));
      listeners.push(s2s.listener, ...(s2s.directTlsListener ? [s2s.directTlsListener] : []));
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    await cluster?.stop();
    modules.unloadAll();
    await storage.close();
    throw error;
  }

  // The admin socket (`herald s2s status`); a server without one still serves, so a problem
  // with it is a warning.
  let admin: AdminServer | undefined;
  try {
    admin = await startAdminServer({
      socketPath: adminSocketPath(config.storage.dataDir),
      log,
      commands: {
        ping: () => ({ pid: process.pid, domains: config.domains.map((d) => d.name), httpsPort: httpRoutes.httpsPort ?? null }),
        's2s.status': () => ({ enabled: s2s !== undefined, links: s2s?.status() ?? [] }),
        'process.memory': processMemory,
        'sessions.list': (args) => listSessions(delivery.local.values(), args.filter),
        // `herald cert import` after a renewal; a broken pair keeps the old one and errors here.
        'certs.reload': () => {
          tls.reload(ensureCertificates(config, log));
          log.info('certificates reloaded');
          return { reloaded: config.domains.map((d) => d.name) };
        },
      },
    });
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'admin socket not available');
  }

  return {
    listeners,
    modules: modules.names(),
    reloadCertificates() {
      tls.reload(ensureCertificates(config, log));
      log.info('certificates reloaded');
    },
    async stop() {
      // Listeners stop accepting at once; their close() does not wait on any peer.
      await Promise.all([admin?.close(), ...listeners.map((l) => l.close())]);
      websocket.close();
      await Promise.all([closeSessions(), s2s ? s2s.stop() : undefined]);
      await cluster?.stop();
      modules.unloadAll();
      await storage.close();
    },
  };

  async function closeSessions(): Promise<void> {
    const closing = [...streams.keys()].map((socket) => once(socket, 'close'));
    // Every session ends properly, hibernating ones included, so unacknowledged messages reach
    // offline storage before storage closes.
    const sessions = [...delivery.local.values()].filter((s): s is ClientSession => s instanceof ClientSession);
    for (const connection of streams.values()) connection.fail(new StreamError('system-shutdown'));
    for (const session of sessions) session.close(new StreamError('system-shutdown'));
    // Peers get the grace to answer our </stream:stream>; then whatever remains is dropped.
    const grace = setTimeout(() => {
      for (const socket of streams.keys()) socket.destroy();
    }, config.limits.shutdownGraceSeconds * 1000);
    await Promise.all(closing);
    clearTimeout(grace);
    await Promise.all(sessions.map((s) => s.ended));
  }
}
