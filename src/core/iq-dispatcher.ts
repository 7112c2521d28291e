// IQ semantics of RFC 6120 §8.2.3 and §10: a get/set carries exactly one payload, gets exactly
// one answer; nobody handling it means service-unavailable, a handler failing means
// internal-server-error. Handlers are looked up by (target, type, payload namespace, name).
import { cloneElement, xml, type Element } from '../xml/element.js';
import type { Jid } from '../protocol/jid.js';
import { StanzaError } from '../protocol/stanza-error.js';
import type { Logger } from '../util/logger.js';
import type { EventBus } from './event-bus.js';
import type { StanzaEvent } from './events.js';
import type { LocalSession } from './sessions/session.js';
import type { SessionRegistry } from './sessions/session-registry.js';
import type { Delivery } from './delivery.js';
import { bounce, type StanzaSink } from './stanza-sender.js';

export interface IqRequest {
  stanza: Element;
  payload: Element;
  from: Jid;
  to: Jid;
  origin?: LocalSession;
}

/** The payload of the result (null: an empty result). Throw a StanzaError to answer an error. */
export type IqHandler = (request: IqRequest) => Element | null | Promise<Element | null>;

export interface IqHandlerSpec {
  /** `host`: addressed to a served domain; `account`: to a user's bare JID (or no 'to'). */
  target: 'host' | 'account';
  type: 'get' | 'set';
  xmlns: string;
  /** Payload element name; any name when omitted. */
  name?: string;
  handler: IqHandler;
}

export interface IqDispatcher {
  /** Registers a handler; returns the function that removes it. */
  handle(spec: IqHandlerSpec): () => void;
  /**
   * Sends an IQ get/set from a served domain or account and resolves with the answer (a result
   * or error stanza); rejects after `timeoutMs`. The request needs from, to and a unique id.
   */
  request(iq: Element, timeoutMs?: number): Promise<Element>;
}

export class IqTimeoutError extends Error {
  override name = 'IqTimeoutError';
}

/** RFC 6120 §8.2.3: get/set need exactly one child element, result at most one. */
export function iqShapeError(stanza: Element): StanzaError | undefined {
  const type = stanza.attrs.type;
  if (type !== 'get' && type !== 'set' && type !== 'result' && type !== 'error') {
    return new StanzaError('bad-request', `iq type must be get, set, result or error`);
  }
  if (!stanza.attrs.id) return new StanzaError('bad-request', 'iq needs an id');
  const children = stanza.getChildElements().length;
  if ((type === 'get' || type === 'set') && children !== 1) {
    return new StanzaError('bad-request', `iq of type ${type} must have exactly one child element, found ${children}`);
  }
  if (type === 'result' && children > 1) return new StanzaError('bad-request', 'iq result has more than one child element');
  return undefined;
}

/** Requests' ids start with the asking node's id and this (node ids never contain it). */
const ASKER_SEPARATOR = '~';

export function createIqDispatcher(deps: {
  events: EventBus;
  sink: StanzaSink;
  sessions: SessionRegistry;
  delivery: Delivery;
  log: Logger;
}): IqDispatcher {
  const { events, sink, log } = deps;
  const handlers = new Map<string, IqHandlerSpec[]>();
  /** Requests this server sent, by "<peer> <id>", waiting for their answer. */
  const pending = new Map<string, (answer: Element) => void>();
  const keyOf = (target: string, type: string, ns: string) => `${target} ${type} ${ns}`;

  async function forwardToAsker(answer: Element): Promise<void> {
    const id = answer.attrs.id ?? '';
    const at = id.indexOf(ASKER_SEPARATOR);
    if (at > 0) await deps.delivery.toNode(id.slice(0, at), answer);
  }

  function find(target: 'host' | 'account', type: string, payload: Element): IqHandlerSpec | undefined {
    const candidates = handlers.get(keyOf(target, type, payload.attrs.xmlns ?? ''));
    return candidates?.find((spec) => spec.name === undefined || spec.name === payload.name);
  }

  async function answer(target: 'host' | 'account', event: StanzaEvent): Promise<boolean> {
    const { stanza } = event;
    const type = stanza.attrs.type;
    if (type !== 'get' && type !== 'set') {
      // An answer to one of our requests, or else nothing to do: results and errors end here.
      // With several nodes the client may be on another node than the one that asked: the
      // request's id names that node, and the answer goes there.
      const waiting = pending.get(`${event.from.toString()} ${stanza.attrs.id}`);
      if (waiting) waiting(stanza);
      else await forwardToAsker(stanza);
      return true;
    }
    const payload = stanza.getChildElements()[0];
    const spec = payload && find(target, type, payload);
    if (!payload || !spec) {
      await bounce(sink, stanza, new StanzaError('service-unavailable'), event.to);
      return true;
    }
    let result: Element | null;
    try {
      result = await spec.handler({ stanza, payload, from: event.from, to: event.to, ...(event.origin ? { origin: event.origin } : {}) });
    } catch (error) {
      if (!(error instanceof StanzaError)) log.error({ err: error, xmlns: payload.attrs.xmlns }, 'iq handler failed');
      await bounce(sink, stanza, error instanceof StanzaError ? error : new StanzaError('internal-server-error'), event.to);
      return true;
    }
    await sink.route(xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to ?? event.to.toString(), to: stanza.attrs.from }, result));
    return true;
  }

  // Lowest priority: modules that need to see IQs first (e.g. privacy) can still claim them.
  events.on('iq/host', (event) => answer('host', event), -1000);
  events.on('iq/bare', (event) => answer('account', event), -1000);
  events.on(
    'iq/full',
    async (event) => {
      const ref = await deps.sessions.byFullJid(event.to.toString());
      if (ref && (await deps.delivery.toSession(ref, event.stanza))) return true;
      await bounce(sink, event.stanza, new StanzaError('service-unavailable'), event.to);
      return true;
    },
    -1000,
  );

  return {
    handle(spec) {
      const key = keyOf(spec.target, spec.type, spec.xmlns);
      handlers.set(key, [...(handlers.get(key) ?? []), spec]);
      return () => handlers.set(key, (handlers.get(key) ?? []).filter((s) => s !== spec));
    },

    request(asked, timeoutMs = 30_000) {
      const iq = cloneElement(asked);
      iq.attrs.id = `${deps.delivery.nodeId}${ASKER_SEPARATOR}${asked.attrs.id}`;
      const key = `${iq.attrs.to} ${iq.attrs.id}`;
      return new Promise<Element>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(key);
          reject(new IqTimeoutError(`no answer from ${iq.attrs.to} within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        pending.set(key, (answer) => {
          clearTimeout(timer);
          pending.delete(key);
          resolve(answer);
        });
        sink.route(iq).catch((error: unknown) => {
          clearTimeout(timer);
          pending.delete(key);
          reject(error as Error);
        });
      });
    },
  };
}
