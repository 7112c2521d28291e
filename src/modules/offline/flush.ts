// Delivering stored messages. XEP-0160 §2: "When the recipient next sends non-negative available
// presence to the server, the server delivers the message to the resource that has sent that
// presence." One resource per account (its "target") gets them; when it stops being eligible
// (unavailable, negative priority, gone) another eligible local resource takes over.
//
// Deletion follows what the session promises (LocalSession.confirmsDelivery): a plain session
// counts a written stanza as delivered, so a page is deleted once written; a session with
// XEP-0198 confirms with `stanza/acked`, so a message is deleted only then, and the next page is
// sent once the previous one is confirmed (at most one page unconfirmed per session). A message
// never confirmed stays stored and comes again at the next login; clients de-duplicate it by its
// stanza-id.
//
// One flush runs per account at a time: a message stored while it runs, an acknowledgement that
// completes a page, or a change of target just asks it for another pass.
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { OfflineMessage } from '../../storage/types.js';
import { buildElement } from '../../xml/element-builder.js';
import type { Element } from '../../xml/element.js';
import { stanzaIdOf } from '../../protocol/stanza-id.js';

/** Per-session state, in session.data under this module's key. */
const SESSION_KEY = Symbol('offline');

interface SessionState {
  account: string;
  /** Stanza-ids written to a session that confirms delivery, not confirmed yet. */
  unacked: Set<string>;
  /** Confirmed, waiting to be deleted in one batch. */
  acked: string[];
}

interface AccountState {
  target: LocalSession | undefined;
  running: boolean;
  again: boolean;
}

export interface FlushOptions {
  /** Messages read from storage at a time, so a long queue never sits in memory at once. */
  pageSize: number;
  /** Confirmed messages deleted together while a page is still partly unconfirmed. */
  deleteBatch: number;
}

export interface Flusher {
  /** The session sent available presence with a non-negative priority. */
  available(session: LocalSession): Promise<void>;
  /** The session sent unavailable or negative-priority presence (`ended` false), or it ended. */
  unavailable(session: LocalSession, ended: boolean): Promise<void>;
  /** A new message was stored for the account. */
  stored(account: string): Promise<void>;
  /** The client behind the session confirmed a stanza (XEP-0198). */
  acked(session: LocalSession, stanza: Element): Promise<void>;
}

export function createFlusher(ctx: ModuleContext, options: FlushOptions): Flusher {
  const repo = ctx.storage.offline;
  const accounts = new Map<string, AccountState>();

  function sessionState(session: LocalSession): SessionState {
    let state = session.data.get(SESSION_KEY) as SessionState | undefined;
    if (!state) {
      state = { account: session.jid.toBareString(), unacked: new Set(), acked: [] };
      session.data.set(SESSION_KEY, state);
    }
    return state;
  }

  async function deleteAcked(state: SessionState): Promise<void> {
    if (state.acked.length === 0) return;
    await repo.delete(state.account, state.acked.splice(0));
  }

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

  /** Sends pages to the current target until the queue is empty or a page awaits confirmation. */
  async function drain(account: string, state: AccountState): Promise<void> {
    for (;;) {
      const session = state.target;
      if (!session) return;
      const mine = sessionState(session);
      await deleteAcked(mine);
      if (mine.unacked.size > 0) return; // the next page once this one is confirmed
      const page = await repo.list(account, options.pageSize);
      if (page.length === 0) return;
      // Written to a session that does not confirm (or unreadable): done with, deleted below.
      const done: string[] = [];
      for (const message of page) {
        if (state.target !== session) break;
        const stanza = parseStored(message, account);
        if (!stanza) {
          done.push(message.stanzaId);
          continue;
        }
        const confirms = session.confirmsDelivery;
        if (confirms) mine.unacked.add(message.stanzaId);
        if (!session.send(stanza)) {
          // Closed under us: the rest waits for another resource or the next login.
          mine.unacked.delete(message.stanzaId);
          state.target = successor(account, session);
          break;
        }
        if (!confirms) done.push(message.stanzaId);
      }
      if (done.length > 0) await repo.delete(account, done);
      // Storage calls may complete without ever yielding to I/O; give the socket a turn to write
      // out this page before the next one is queued behind it.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async function pump(account: string): Promise<void> {
    const state = accounts.get(account);
    if (!state) return;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    try {
      do {
        state.again = false;
        await drain(account, state);
      } while (state.again);
    } finally {
      state.running = false;
      if (!state.target) accounts.delete(account);
    }
  }

  return {
    async available(session) {
      const account = session.jid.toBareString();
      let state = accounts.get(account);
      if (!state) {
        state = { target: undefined, running: false, again: false };
        accounts.set(account, state);
      }
      state.target ??= session;
      // Another resource already receives them; nothing is left for this one.
      if (state.target !== session) return;
      await pump(account);
    },

    async unavailable(session, ended) {
      const account = session.jid.toBareString();
      const mine = session.data.get(SESSION_KEY) as SessionState | undefined;
      // What it confirmed is done with before anyone else is sent what is left.
      if (mine) await deleteAcked(mine);
      if (ended) session.data.delete(SESSION_KEY);
      const state = accounts.get(account);
      if (state?.target !== session) return;
      state.target = successor(account, session);
      if (state.target) await pump(account);
      else if (!state.running) accounts.delete(account);
    },

    async stored(account) {
      if (accounts.get(account)?.target) await pump(account);
    },

    async acked(session, stanza) {
      const mine = session.data.get(SESSION_KEY) as SessionState | undefined;
      if (!mine) return;
      const id = stanzaIdOf(stanza, mine.account);
      if (id === undefined || !mine.unacked.delete(id)) return; // not one we flushed
      mine.acked.push(id);
      const target = accounts.get(mine.account)?.target === session;
      // Batched while the target's page is partly confirmed; otherwise deleted at once, so no
      // other resource is sent a message this one already confirmed.
      if (target && mine.unacked.size > 0 && mine.acked.length < options.deleteBatch) return;
      await deleteAcked(mine);
      if (target && mine.unacked.size === 0) await pump(mine.account);
    },
  };
}
