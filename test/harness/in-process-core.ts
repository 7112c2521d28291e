// A real Herald core wired in-process without sockets: event bus, session registry, delivery,
// router, IQ dispatcher and the module loader over memory storage. Clients are fake local
// sessions that record what they are sent, so tests drive the router and read the replies.
import { createHttpRoutes } from '../../src/http/http-routes.js';
import { createComponents } from '../../src/core/components.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { DomainConfig, HeraldConfig } from '../../src/config/types.js';
import { createEventBus, type EventBus } from '../../src/core/event-bus.js';
import type { EventCatalogue, PreAuthStream } from '../../src/core/events.js';
import { createHosts, type Hosts } from '../../src/core/hosts.js';
import { createDelivery, type Delivery } from '../../src/core/delivery.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { createIqDispatcher } from '../../src/core/iq-dispatcher.js';
import { loadModules, type LoadedModules } from '../../src/core/modules/module-loader.js';
import type { HeraldModule } from '../../src/core/modules/module.js';
import { createLocalSessionRegistry } from '../../src/core/sessions/local-session-registry.js';
import type { LocalSession } from '../../src/core/sessions/session.js';
import { treeOf, type OutgoingStanza } from '../../src/xml/serialized-stanza.js';
import { sessionRefOf, type SessionRef } from '../../src/core/sessions/session-ref.js';
import type { SessionRegistry } from '../../src/core/sessions/session-registry.js';
import { createSingleNodeBus } from '../../src/cluster/node-bus.js';
import { createAccounts, type Accounts } from '../../src/auth/accounts.js';
import { createMemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { Storage } from '../../src/storage/types.js';
import { parseJid, type Jid } from '../../src/protocol/jid.js';
import type { StreamError } from '../../src/protocol/stream-error.js';
import { createRandomIds, type Clock } from '../../src/util/clock.js';
import { silentLogger, type Logger } from '../../src/util/logger.js';
import type { Element } from '../../src/xml/element.js';
import { NS } from '../../src/xml/ns.js';
import { builtinModules } from '../../src/modules/index.js';

const NODE_ID = 'test-node';

export interface FakeClock extends Clock {
  advance(ms: number): void;
}

export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** A bound client session that keeps everything written to it. */
export class FakeSession implements LocalSession {
  readonly data = new Map<symbol, unknown>();
  readonly sent: Element[] = [];
  available = false;
  priority = 0;
  presence: Element | undefined;
  interested = false;
  readonly flags: Record<string, string> = {};
  /** Set true in a test to play a client with XEP-0198 enabled. */
  confirmsDelivery = false;
  secure = true;
  /** Set once closed: the stream error it was closed with (null for a plain close). */
  closedWith: StreamError | null | undefined;
  /** How many stanzas had been sent when the session was closed. */
  sentBeforeClose: number | undefined;

  constructor(
    readonly id: string,
    readonly jid: Jid,
    readonly remoteAddress: string,
    private readonly onClose: (session: FakeSession) => void,
  ) {}

  ref(): SessionRef {
    return sessionRefOf(this, NODE_ID);
  }

  send(stanza: Element): boolean {
    if (this.closedWith !== undefined) return false;
    this.sent.push(stanza);
    return true;
  }

  whenWritable(): Promise<boolean> {
    return Promise.resolve(this.closedWith === undefined);
  }

  /** Set true in a test to play a client that reads slowly. */
  congested = false;

  /** Outbound filters are exercised over real sockets (test/protocol/csi.test.ts); here nothing is held. */
  setOutboundFilter(): void {}

  /** With confirmsDelivery, sendConfirmed() waits for confirm() (the client's XEP-0198 ack). */
  private readonly confirmations = new Map<Element, (delivered: boolean) => void>();

  sendConfirmed(outgoing: OutgoingStanza, confirm: (delivered: boolean) => void): void {
    const stanza = treeOf(outgoing);
    if (!this.send(stanza)) return confirm(false);
    if (!this.confirmsDelivery) return confirm(true);
    this.confirmations.set(stanza, confirm);
  }

  /** Plays the client acknowledging `stanza`. */
  confirm(stanza: Element): void {
    this.confirmations.get(stanza)?.(true);
    this.confirmations.delete(stanza);
  }

  close(error?: StreamError): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error ?? null;
    this.sentBeforeClose = this.sent.length;
    for (const resolve of this.confirmations.values()) resolve(false);
    this.confirmations.clear();
    this.onClose(this);
  }
}

/** A stream that is secured but not authenticated, as modules see it. */
export class FakePreAuthStream implements PreAuthStream {
  readonly sent: Element[] = [];
  readonly secure = true;

  constructor(
    readonly id: string,
    readonly remoteAddress: string,
  ) {}

  send(element: Element): void {
    this.sent.push(element);
  }
}

export interface InProcessCoreOptions {
  /** Defaults to example.org with registration disabled. */
  domains?: DomainConfig[];
  /** Defaults to the built-in modules. */
  modules?: readonly HeraldModule[];
  /** `modules` section of the configuration. */
  moduleConfig?: HeraldConfig['modules'];
  clock?: FakeClock;
  /** Defaults to a silent logger; pass one to observe what modules log. */
  log?: Logger;
}

export interface InProcessCore {
  readonly config: HeraldConfig;
  readonly events: EventBus;
  readonly hosts: Hosts;
  readonly router: Router;
  readonly sessions: SessionRegistry;
  readonly delivery: Delivery;
  readonly storage: Storage;
  readonly accounts: Accounts;
  readonly clock: FakeClock;
  readonly modules: LoadedModules;
  /** Creates the account when missing, binds a session for `jid` (a full JID) and returns it. */
  connect(jid: string, options?: { password?: string; remoteAddress?: string }): Promise<FakeSession>;
  /** Stamps the session's JID as `from`, routes the stanza, and returns what the session got back. */
  send(session: FakeSession, stanza: Element): Promise<Element[]>;
  /** Ends the session as a dropped stream does: it leaves delivery and the registry, then `session/closed` fires. */
  disconnect(session: FakeSession, reason?: string): Promise<void>;
  preAuthStream(remoteAddress?: string): FakePreAuthStream;
  /** Hands a stanza from a not-yet-authenticated stream to the modules; true when one claimed it. */
  sendUnauthenticated(stream: FakePreAuthStream, domain: string, stanza: Element): Promise<boolean>;
  /** Stream features a module adds at a stage. */
  features(stage: EventCatalogue['c2s/features']['stage'], domain: string): Promise<Element[]>;
  close(): Promise<void>;
}

export async function createInProcessCore(options: InProcessCoreOptions = {}): Promise<InProcessCore> {
  const config: HeraldConfig = {
    ...defaultConfig(),
    domains: options.domains ?? [{ name: 'example.org', registration: { enabled: false } }],
    modules: options.moduleConfig ?? {},
  };
  const log = options.log ?? silentLogger();
  const clock = options.clock ?? createFakeClock();
  const ids = createRandomIds();
  const storage = createMemoryStorage();
  const events = createEventBus();
  const hosts = createHosts(config.domains);
  const sessions = createLocalSessionRegistry();
  const delivery = createDelivery(NODE_ID, createSingleNodeBus());
  const components = createComponents();
  const router = createRouter({ events, hosts, log, components });
  const iq = createIqDispatcher({ events, sink: router, sessions, delivery, log });
  const accounts = createAccounts({ storage, iterations: config.auth.scramIterations, clock });
  const modules = await loadModules(
    options.modules ?? builtinModules,
    config,
    { config, log, hosts, router, sessions, delivery, storage, accounts, clock, ids, http: createHttpRoutes(), components },
    events,
    iq,
  );

  // What the real session does when its stream ends: leave delivery and the registry.
  const unbind = (session: FakeSession): void => {
    delivery.local.delete(session.id);
    void sessions.remove(session.ref());
  };
  let streams = 0;

  return {
    config,
    events,
    hosts,
    router,
    sessions,
    delivery,
    storage,
    accounts,
    clock,
    modules,

    async connect(jid, connectOptions = {}) {
      const full = parseJid(jid);
      if (full.isBare) throw new Error(`connect needs a full JID, got '${jid}'`);
      await accounts.create(full.bare, connectOptions.password ?? 'secret');
      const session = new FakeSession(ids.next(), full, connectOptions.remoteAddress ?? '192.0.2.1', unbind);
      delivery.local.set(session.id, session);
      await sessions.add(session.ref());
      return session;
    },

    async send(session, stanza) {
      const before = session.sent.length;
      stanza.attrs.from = session.jid.toString();
      await router.route(stanza, session);
      return session.sent.slice(before);
    },

    async disconnect(session, reason = 'connection lost') {
      session.close();
      await events.fire('session/closed', { session, reason });
    },

    preAuthStream(remoteAddress = '192.0.2.1') {
      return new FakePreAuthStream(`stream-${++streams}`, remoteAddress);
    },

    sendUnauthenticated(stream, domain, stanza) {
      return events.fire('c2s/unauthenticated-stanza', { stream, domain, stanza });
    },

    async features(stage, domain) {
      const features: Element[] = [];
      await events.fire('c2s/features', { session: undefined, stage, domain, features });
      return features;
    },

    async close() {
      modules.unloadAll();
      await storage.close();
    },
  };
}

/** The defined condition of an error stanza (RFC 6120 §8.3.2), or undefined. */
export function errorCondition(stanza: Element | undefined): string | undefined {
  const error = stanza?.getChild('error');
  return error?.getChildElements().find((c) => c.attrs.xmlns === NS.stanzas && c.name !== 'text')?.name;
}
