// Typed hook chain: handlers run by descending priority, one at a time; a handler returning
// `true` means "handled" and stops the chain.
import type { EventCatalogue, EventName } from './events.js';

export type EventHandler<K extends EventName> = (payload: EventCatalogue[K]) => boolean | void | Promise<boolean | void>;

interface Registration {
  handler: EventHandler<never>;
  priority: number;
}

export interface EventBus {
  /** Registers a handler; returns the function that removes it. */
  on<K extends EventName>(name: K, handler: EventHandler<K>, priority?: number): () => void;
  /** Runs the chain; resolves true when a handler claimed the event. */
  fire<K extends EventName>(name: K, payload: EventCatalogue[K]): Promise<boolean>;
  /**
   * fire's chain, answered without a promise when every handler answered at once (a throwing
   * handler throws here): for handlers on the message path that are themselves synchronous
   * when nothing waits, so an event that passes untouched costs no microtask.
   */
  fireNow<K extends EventName>(name: K, payload: EventCatalogue[K]): boolean | Promise<boolean>;
  has(name: EventName): boolean;
  /**
   * Tells the handlers synchronously and ignores what they return: for observers (metrics) on
   * hot paths, where an awaited chain per stanza would cost more than the counting. Costs one
   * map lookup when nobody listens.
   */
  notify<K extends EventName>(name: K, payload: EventCatalogue[K]): void;
}

export function createEventBus(): EventBus {
  const chains = new Map<EventName, Registration[]>();

  const bus: EventBus = {
    on(name, handler, priority = 0) {
      const registration: Registration = { handler: handler as EventHandler<never>, priority };
      const chain = [...(chains.get(name) ?? []), registration].sort((a, b) => b.priority - a.priority);
      chains.set(name, chain);
      return () => {
        const current = chains.get(name);
        if (current) chains.set(name, current.filter((r) => r !== registration));
      };
    },

    fire(name, payload) {
      try {
        const result = bus.fireNow(name, payload);
        return result === true ? HANDLED : result === false ? NOT_HANDLED : result;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    fireNow(name, payload) {
      // Copy-on-write arrays: a handler added or removed mid-chain does not disturb this run.
      const chain = chains.get(name);
      if (!chain) return false;
      // Synchronous until a handler returns a promise: most handlers on the message path answer
      // at once (filters that let the stanza pass), and an async function per event cost a
      // promise and a microtask for nothing, four times per message.
      for (let i = 0; i < chain.length; i++) {
        const result = (chain[i]!.handler as EventHandler<typeof name>)(payload);
        if (result instanceof Promise) return finishChain(chain, i, result, payload);
        if (result === true) return true;
      }
      return false;
    },

    has(name) {
      return (chains.get(name)?.length ?? 0) > 0;
    },

    notify(name, payload) {
      const chain = chains.get(name);
      if (chain) for (const { handler } of chain) (handler as EventHandler<typeof name>)(payload);
    },
  };
  return bus;
}

/** Shared, settled answers: a promise that is already resolved can be handed to every caller. */
const HANDLED = Promise.resolve(true);
const NOT_HANDLED = Promise.resolve(false);

/** The rest of a chain once handler `at` answered with a promise. */
async function finishChain(chain: readonly Registration[], at: number, pending: Promise<boolean | void>, payload: unknown): Promise<boolean> {
  if ((await pending) === true) return true;
  for (let i = at + 1; i < chain.length; i++) {
    const result = (chain[i]!.handler as (payload: unknown) => boolean | void | Promise<boolean | void>)(payload);
    const handled = result instanceof Promise ? await result : result;
    if (handled === true) return true;
  }
  return false;
}
