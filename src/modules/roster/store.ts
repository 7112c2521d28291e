// The roster's one write path: changes to an account's roster are serialised, stored, pushed to
// the account's interested resources (RFC 6121 §2.1.6) and announced as `roster/changed`.
import type { ModuleContext } from '../../core/modules/module.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { Jid } from '../../protocol/jid.js';
import type { RosterItem } from '../../storage/types.js';
import { xml, type Element } from '../../xml/element.js';
import { itemElement, removedItemElement, rosterQuery } from './items.js';

export interface StoredChange {
  account: Jid;
  contact: Jid;
  before: RosterItem | undefined;
  after: RosterItem | undefined;
  /** The roster version the change produced. */
  version: number;
}

export interface RosterStore {
  /**
   * Runs a read-modify-write of one account's roster with no other change in between. Keep
   * routing out of it: answering a stanza may need the same account's roster again.
   */
  exclusive<T>(account: Jid, task: () => Promise<T>): Promise<T>;
  put(account: Jid, contact: Jid, before: RosterItem | undefined, after: RosterItem): Promise<StoredChange>;
  /** Undefined when there was no such item. */
  remove(account: Jid, contact: Jid, before: RosterItem): Promise<StoredChange | undefined>;
  /** Pushes the change to every interested resource, then fires `roster/changed`. */
  announce(change: StoredChange): Promise<void>;
  /** One roster push to one resource; `version` is left out when undefined. */
  push(ref: SessionRef, change: { account: Jid; jid: string; item: RosterItem | undefined }, version: number | undefined): Promise<void>;
  /** §2.2: a resource that asked for the roster gets the pushes from now on. */
  markInterested(session: LocalSession): Promise<void>;
}

export function createRosterStore(ctx: ModuleContext): RosterStore {
  const repo = ctx.storage.roster;
  // Tail of the task chain per account; only this process is serialised (a shared store would
  // need its own atomic update for several nodes).
  const tails = new Map<string, Promise<void>>();

  async function exclusive<T>(account: Jid, task: () => Promise<T>): Promise<T> {
    const key = account.toBareString();
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  }

  function pushStanza(account: Jid, to: string, item: Element, version: number | undefined): Element {
    return xml('iq', { type: 'set', id: `push-${ctx.ids.next()}`, from: account.toBareString(), to }, rosterQuery([item], version));
  }

  const store: RosterStore = {
    exclusive,

    async put(account, contact, before, after) {
      const version = await repo.put(account.toBareString(), after);
      return { account, contact, before, after, version };
    },

    async remove(account, contact, before) {
      const version = await repo.remove(account.toBareString(), contact.toBareString());
      return version === undefined ? undefined : { account, contact, before, after: undefined, version };
    },

    async announce(change) {
      const refs = await ctx.sessions.byBareJid(change.account.toBareString());
      const jid = change.contact.toBareString();
      for (const ref of refs) {
        if (ref.interested) await store.push(ref, { account: change.account, jid, item: change.after }, change.version);
      }
      await ctx.fire('roster/changed', { account: change.account, contact: change.contact, before: change.before, after: change.after });
    },

    async push(ref, { account, jid, item }, version) {
      await ctx.delivery.toSession(ref, pushStanza(account, ref.jid, item ? itemElement(item) : removedItemElement(jid), version));
    },

    async markInterested(session) {
      if (session.interested) return;
      session.interested = true;
      await ctx.sessions.update(session.ref());
    },
  };
  return store;
}
