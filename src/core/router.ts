// Routes stanzas by RFC 6120 §10 / RFC 6121 addressing: fires `pre-<kind>/<address>` on the
// sender's host for stanzas from local clients, then `<kind>/<address>` on a hosted domain, or
// hands the stanza to the remote path. The router knows no feature; modules claim events.
import type { Element } from '../xml/element.js';
import { tryParseJid, type Jid } from '../protocol/jid.js';
import { StanzaError, errorReply } from '../protocol/stanza-error.js';
import type { Logger } from '../util/logger.js';
import type { EventBus } from './event-bus.js';
import type { AddressKind, StanzaEvent, StanzaEventName, StanzaKind } from './events.js';
import type { Hosts } from './hosts.js';
import type { Components } from './components.js';
import type { LocalSession } from './sessions/session.js';
import { bounce } from './stanza-sender.js';

/** Where stanzas for domains not served here go (server-to-server, when it exists). */
export interface RemoteRoute {
  send(stanza: Element, from: Jid, to: Jid): Promise<void>;
}

export interface Router {
  /**
   * Routes a stanza. `origin` is the local client session it came from; such a stanza must
   * already carry the session's full JID as `from`.
   */
  route(stanza: Element, origin?: LocalSession): Promise<void>;
  /**
   * route, finished without a promise when every handler answered at once (EventBus.fireNow; a
   * throw is thrown here): for a client's stanzas, most of which pass filters that do nothing.
   */
  routeNow(stanza: Element, origin?: LocalSession): void | Promise<void>;
}

export function addressKind(jid: Jid): AddressKind {
  if (jid.resource) return 'full';
  return jid.local ? 'bare' : 'host';
}

/** A kind's event names, made once: a name built per stanza is a new string the bus must hash. */
interface KindEvents {
  kind: StanzaKind;
  pre: Record<AddressKind, StanzaEventName>;
  on: Record<AddressKind, StanzaEventName>;
}

function kindEvents(kind: StanzaKind): KindEvents {
  return {
    kind,
    pre: { full: `pre-${kind}/full`, bare: `pre-${kind}/bare`, host: `pre-${kind}/host` },
    on: { full: `${kind}/full`, bare: `${kind}/bare`, host: `${kind}/host` },
  };
}

const MESSAGE = kindEvents('message');
const PRESENCE = kindEvents('presence');
const IQ = kindEvents('iq');

function eventsOf(name: string): KindEvents | undefined {
  if (name === 'message') return MESSAGE;
  if (name === 'presence') return PRESENCE;
  return name === 'iq' ? IQ : undefined;
}

export function createRouter(deps: { events: EventBus; hosts: Hosts; log: Logger; remote?: RemoteRoute; components?: Components }): Router {
  const { events, hosts, log } = deps;

  /** `next` once the event went unclaimed; nothing more once a handler claimed it. */
  const unless = (claimed: boolean | Promise<boolean>, next: () => void | Promise<void>): void | Promise<void> => {
    if (claimed instanceof Promise) return claimed.then((yes) => (yes ? undefined : next()));
    return claimed ? undefined : next();
  };

  const router: Router = {
    route(stanza, origin) {
      try {
        const pending = router.routeNow(stanza, origin);
        return pending ?? DONE;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    routeNow(stanza, origin) {
      const names = eventsOf(stanza.name);
      if (!names) {
        log.warn({ name: stanza.name }, 'dropping non-stanza handed to the router');
        return;
      }
      // A local client's stanza carries its session's JID as stamped: no parse, no cache look-up.
      const rawFrom = stanza.attrs.from as string | undefined;
      const from = origin !== undefined && rawFrom === origin.jid.toString() ? origin.jid : tryParseJid(rawFrom);
      if (!from) {
        log.warn({ from: stanza.attrs.from }, 'dropping stanza without a valid from');
        return;
      }
      // RFC 6120 §10.3: a stanza without 'to' from a client is handled on behalf of its account.
      const rawTo = stanza.attrs.to as string | undefined;
      const to = rawTo === undefined ? from.bare : tryParseJid(rawTo);
      if (!to) {
        // The error cannot come "from" the malformed address, so the sender's server answers.
        const reply = errorReply(stanza, new StanzaError('jid-malformed', `'${rawTo}' is not a valid JID`));
        return reply ? router.route(Object.assign(reply, { attrs: { ...reply.attrs, from: from.domain } })) : undefined;
      }
      const address = addressKind(to);
      const event: StanzaEvent = origin ? { stanza, from, to, origin } : { stanza, from, to };

      // Everything an account sends elsewhere, whoever builds it, passes one place a module may veto.
      const fromAccount = from.local !== '' && hosts.has(from.domain);
      const outbound = fromAccount && !to.bare.equals(from.bare) ? events.fireNow('stanza/outbound', event) : false;
      return unless(outbound, () => {
        const pre = origin && hosts.has(from.domain) ? events.fireNow(names.pre[address], event) : false;
        return unless(pre, () => onward(names, address, event));
      });
    },
  };

  /** After the sender's side: a component, a hosted domain's handlers, or the remote path. */
  function onward({ kind, on }: KindEvents, address: AddressKind, event: StanzaEvent): void | Promise<void> {
    const { stanza, from, to } = event;
    const component = deps.components?.find(to.domain);
    if (component) return component(event);
    if (hosts.has(to.domain)) {
      // Unclaimed: presence is dropped quietly (RFC 6121 §4.3, §4.6); others get an error.
      return unless(events.fireNow(on[address], event), () => (kind !== 'presence' ? bounce(router, stanza, new StanzaError('service-unavailable'), to) : undefined));
    }
    if (deps.remote) return deps.remote.send(stanza, from, to);
    if (kind !== 'presence') {
      return bounce(router, stanza, new StanzaError('remote-server-not-found', `federation with '${to.domain}' is not available on this server`));
    }
  }
  return router;
}

const DONE: Promise<void> = Promise.resolve();
