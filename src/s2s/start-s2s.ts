// Builds the server-to-server side: context, outgoing links (the router's RemoteRoute) and the
// listeners for incoming streams: listeners.s2s (STARTTLS, 5269) and, when on, listeners.s2sTls
// (direct TLS, XEP-0368, 5270). Called from the composition root when listeners.s2s is on.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { HeraldConfig } from '../config/types.js';
import type { Hosts } from '../core/hosts.js';
import type { EventBus } from '../core/event-bus.js';
import type { Router } from '../core/router.js';
import { listenDirectTls, listenPlain, type ListenerHandle } from '../net/c2s-listeners.js';
import type { TlsContexts } from '../net/tls-contexts.js';
import { StreamError } from '../protocol/stream-error.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ALPN_XMPP_SERVER } from './connect.js';
import { DialbackVerifications } from './dialback-verifications.js';
import { InboundStream } from './inbound-stream.js';
import { createLinkManager, type LinkManager } from './link-manager.js';
import type { LinkStatus } from './link-status.js';
import { verifyDialbackKey } from './outbound-negotiation.js';
import { createDnsResolver, createStaticResolver, type S2sResolver } from './resolver.js';
import type { S2sContext } from './s2s-context.js';
import { createS2sTls } from './s2s-tls.js';
import { loadDialbackSecret } from './secret.js';
import { createMemoryHeldRepository } from '../storage/memory/held.js';
import type { HeldStanzaRepository } from '../storage/types.js';
import type { Delivery } from '../core/delivery.js';

export interface S2sHandle {
  links: LinkManager;
  listener: ListenerHandle;
  /** The direct-TLS listener (listeners.s2sTls), when on; the caller closes it with the others. */
  directTlsListener: ListenerHandle | undefined;
  /** Live links, incoming then outgoing, for the admin socket (`herald s2s status`). */
  status(): LinkStatus[];
  stop(): Promise<void>;
}

export interface S2sDeps {
  config: HeraldConfig;
  hosts: Hosts;
  router: Router;
  tls: TlsContexts;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Tests may replace DNS; static routes always come first. */
  resolver?: S2sResolver;
  /** Where messages for unreachable peers are held; absent: in memory (lost at exit). */
  held?: HeldStanzaRepository;
  /** Traffic observers (metrics). */
  events?: Pick<EventBus, 'notify'>;
  /** In a cluster: a peer's stanzas count as handled once those sent to other nodes are held there. */
  delivery?: Pick<Delivery, 'settled'>;
}

export async function startS2s(deps: S2sDeps): Promise<S2sHandle> {
  const { config, log } = deps;
  const ctx: S2sContext = {
    config,
    hosts: deps.hosts,
    router: deps.router,
    tls: createS2sTls(deps.tls, config.s2s.caFiles),
    // `_xmpps-server` (direct TLS) and `_xmpp-server` (STARTTLS) targets, merged by priority.
    resolver: createStaticResolver(
      config.s2s.routes,
      deps.resolver ?? createDnsResolver(config.s2s.resolver ? { nameservers: config.s2s.resolver.nameservers } : {}),
    ),
    secret: loadDialbackSecret(config.s2s.secret, config.storage.dataDir),
    clock: deps.clock,
    ids: deps.ids,
    log,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.delivery ? { delivery: deps.delivery } : {}),
  };
  const links = createLinkManager(() => ctx, deps.held ?? createMemoryHeldRepository(() => undefined));
  // One verification per request and per domain pair at a time, whatever the streams ask.
  const verifications = new DialbackVerifications((receiving, originating, streamId, key) =>
    verifyDialbackKey(ctx, receiving, originating, streamId, key, log.child({ s2s: 'verify', local: receiving, remote: originating })));
  const verify = verifications.verify.bind(verifications);

  const streams = new Map<Socket, InboundStream>();
  const accept = (socket: Socket) => {
    streams.set(socket, new InboundStream(ctx, socket, verify));
    socket.once('close', () => streams.delete(socket));
  };
  const listener = await listenPlain('s2s', config.listeners.s2s, log, accept);
  let directTlsListener: ListenerHandle | undefined;
  if (config.listeners.s2sTls.enabled) {
    try {
      // The same InboundStream as after STARTTLS: the socket is already secure, so no <starttls/>.
      directTlsListener = await listenDirectTls('s2s-direct-tls', config.listeners.s2sTls, deps.tls, ALPN_XMPP_SERVER, log, accept, {
        overrides: ctx.tls.directTlsServerOptions(),
        handshakeTimeoutMs: config.limits.tlsHandshakeTimeoutSeconds * 1000,
      });
    } catch (error) {
      await listener.close();
      throw error;
    }
  }

  // Listeners are up, so a peer reached now can dial back to verify us. Awaited: pairs with held
  // messages must be known before any new message is routed, or it could overtake them.
  await links.resumeHeld().catch((error: unknown) => log.error({ err: error }, 'cannot read messages held for unreachable servers'));

  return {
    links,
    listener,
    directTlsListener,
    status: () => [
      ...[...streams.values()].map((stream) => stream.status()),
      ...links.list().map((link) => link.status()),
      ...links.failures(),
    ],
    async stop() {
      links.closeAll();
      const closing = [...streams.keys()].map((socket) => once(socket, 'close'));
      for (const stream of streams.values()) stream.fail(new StreamError('system-shutdown'));
      const grace = setTimeout(() => {
        for (const socket of streams.keys()) socket.destroy();
      }, 2_000);
      await Promise.all([...closing, links.settled()]);
      clearTimeout(grace);
    },
  };
}
