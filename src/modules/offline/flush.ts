// Delivering stored messages. XEP-0160 §2: "When the recipient next sends non-negative available
// presence to the server, the server delivers the message to the resource that has sent that
// presence." One resource per account (its "target") gets them; when it stops being eligible
// (unavailable, negative priority, gone) another eligible local resource takes over.
//
// Paced, and deleted only once delivered: stanzas are written as the session's connection drains
// (LocalSession.whenWritable), a page at a time, and a stored message is deleted only once the
// session confirms it (LocalSession.sendConfirmed: acknowledged with XEP-0198, or else handed to
// the network). The next page is read once the previous one is confirmed, so however long the
// queue, memory holds one page. A message never confirmed stays stored and comes again; clients
// de-duplicate it by its stanza-id.
//
// One flush runs per account at a time: a message stored while it runs or a change of target
// just asks it for another pass. With several nodes, the node that stores a message tells the
// others (a node notice), so the flush serving the account wherever it runs makes that pass. It runs beside the session's inbound queue, never inside it:
// the acknowledgements it waits for arrive through that queue.
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { OfflineMessage } from '../../storage/types.js';
import { buildElement } from '../../xml/element-builder.js';
import type { Element } from '../../xml/element.js';
import { tryParseJid } from '../../protocol/jid.js';

/** Per-account flush state: a cache of who is being served on this node, rebuilt from presence. */
interface AccountState {
  target: LocalSession | undefined;
  running: boolean;
  again: boolean;
  /** Wakes a page waiting on the old target when the target changes. */
  redirected: (() => void) | undefined;
}

function setTarget(state: AccountState, target: LocalSession | undefined): void {
  state.target = target;
  state.redirected?.();
}

export interface FlushOptions {
  /** Messages read from storage at a time, so a long queue never sits in memory at once. */
  pageSize: number;
}

/** Each call starts or redirects a flush and returns at once; the flush logs its own failures. */
export interface Flusher {
  /** The session sent available presence with a non-negative priority. */
  available(session: LocalSession): void;
  /** The session sent unavailable or negative-priority presence, or it ended. */
  unavailable(session: LocalSession): void;
  /** A new message was stored for the account (through this node or another). */
  stored(account: string): void;
  /** Messages may have been stored through other nodes unannounced: every served account looks again. */
  storedAny(): void;
}

export function createFlusher(ctx: ModuleContext, options: FlushOptions): Flusher {
  const repo = ctx.storage.offline;
  const accounts = new Map<string, AccountState>();

  /** Another local resource of the account that may take over: available, priority ≥ 0. */
  function successor(account: string, leaving: LocalSession): LocalSession | undefined {
    for (const session of ctx.delivery.local.values()) {
      if (session !== leaving && session.available && session.priority >= 0 && session.jid.toBareString() === account) return session;
    }
    return undefined;
  }

  function parseStored(message: OfflineMessage, account: string): Element | undefined {
    try {
      // Our own serialisation of a stanza the stream parser accepted.
      return buildElement(message.stanza);
    } catch (error) {
      ctx.log.warn({ err: error, account, stanzaId: message.stanzaId }, 'offline: dropping an unreadable stored message');
      return undefined;
    }
  }

  /**
   * A module may refuse a stored message now (its sender was blocked since it was stored, see
   * the `message/replay` event); it is then deleted like a delivered one.
   */
  async function refusedNow(stanza: Element, session: LocalSession): Promise<boolean> {
    const from = tryParseJid(stanza.attrs.from as string | undefined);
    return from !== undefined && (await ctx.fire('message/replay', { stanza, from, to: session.jid.bare }));
  }

  /**
   * Sends one page to `session` as its connection drains and waits for it to be confirmed, or
   * for the target to change (what is unconfirmed then stays stored for the next one). Resolves
   * with the ids done with (confirmed, or unreadable) and whether the session can take more.
   */
  async function sendPage(session: LocalSession, page: readonly OfflineMessage[], account: string, state: AccountState): Promise<{ done: string[]; usable: boolean }> {
    const done: string[] = [];
    const confirmations: Promise<void>[] = [];
    let usable = true;
    const redirected = new Promise<false>((resolve) => (state.redirected = () => resolve(false)));
    try {
      for (const message of page) {
        const stanza = parseStored(message, account);
        if (!stanza || (await refusedNow(stanza, session))) {
          done.push(message.stanzaId);
          continue;
        }
        const writable = await Promise.race([session.whenWritable(), redirected]);
        if (state.target !== session) break;
        if (!writable) {
          usable = false; // the session ended
          break;
        }
        const id = message.stanzaId;
        confirmations.push(new Promise<void>((resolve) => session.sendConfirmed(stanza, (delivered) => {
          if (delivered) done.push(id);
          else usable = false; // the session ended under us
          resolve();
        })));
      }
      await Promise.race([Promise.all(confirmations), redirected]);
    } finally {
      state.redirected = undefined;
    }
    return { done: done.slice(), usable };
  }

  /** Sends pages to the current target until the queue is empty or no resource is left. */
  async function drain(account: string, state: AccountState): Promise<void> {
    for (;;) {
      const session = state.target;
      if (!session) return;
      const page = await repo.list(account, options.pageSize);
      if (page.length === 0) return;
      const { done, usable } = await sendPage(session, page, account, state);
      if (done.length > 0) await repo.delete(account, done);
      // What the ended session did not confirm is still stored: another resource gets it.
      if (!usable && state.target === session) setTarget(state, successor(account, session));
    }
  }

  function pump(account: string): void {
    const state = accounts.get(account);
    if (!state) return;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    void (async () => {
      try {
        do {
          state.again = false;
          await drain(account, state);
        } while (state.again);
      } catch (error) {
        ctx.log.error({ err: error, account }, 'offline: delivering stored messages failed');
      } finally {
        state.running = false;
        if (!state.target) accounts.delete(account);
      }
    })();
  }

  return {
    available(session) {
      const account = session.jid.toBareString();
      let state = accounts.get(account);
      if (!state) {
        state = { target: undefined, running: false, again: false, redirected: undefined };
        accounts.set(account, state);
      }
      state.target ??= session;
      // Another resource already receives them; nothing is left for this one.
      if (state.target !== session) return;
      pump(account);
    },

    unavailable(session) {
      const account = session.jid.toBareString();
      const state = accounts.get(account);
      if (state?.target !== session) return;
      setTarget(state, successor(account, session));
      if (state.target) pump(account);
      else if (!state.running) accounts.delete(account);
    },

    stored(account) {
      if (accounts.get(account)?.target) pump(account);
    },

    storedAny() {
      for (const [account, state] of accounts) if (state.target) pump(account);
    },
  };
}
