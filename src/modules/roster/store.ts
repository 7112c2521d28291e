// The roster's one write path: changes to an account's roster are serialised, stored, pushed to
// the account's interested resources (RFC 6121 §2.1.6) and announced as `roster/changed`.
import type { ModuleContext } from '../../core/modules/module.js';
import type { SessionRef } from '../../core/sessions/session-ref.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { Jid } from '../../protocol/jid.js';
import type { RosterEntry, RosterEntryChange, RosterItem } from '../../storage/types.js';
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

export interface RosterUpdate<T> {
  result: T;
  /** The stored item change, when the item was written or removed. */
  change: StoredChange | undefined;
  /** A new pending request did not fit the account's limits: nothing was written. */
  refused: boolean;
}

export interface RosterStore {
  /**
   * One read-modify-write of the account's entry for `contact`, atomic in storage (no other
   * change, from any node, comes in between): `decide` sees what is stored and says what to write.
   */
  update<T>(account: Jid, contact: Jid, decide: (entry: RosterEntry) => RosterEntryChange<T>): Promise<RosterUpdate<T>>;
  /** Pushes the change to every interested resource, then fires `roster/changed`. */
  announce(change: StoredChange): Promise<void>;
  /** One roster push to one resource; `version` is left out when undefined. */
  push(ref: SessionRef, change: { account: Jid; jid: string; item: RosterItem | undefined }, version: number | undefined): Promise<void>;
  /** §2.2: a resource that asked for the roster gets the pushes from now on. */
  markInterested(session: LocalSession): Promise<void>;
}

export function createRosterStore(ctx: ModuleContext): RosterStore {
  const repo = ctx.storage.roster;

  function pushStanza(account: Jid, to: string, item: Element, version: number | undefined): Element {
    return xml('iq', { type: 'set', id: `push-${ctx.ids.next()}`, from: account.toBareString(), to }, rosterQuery([item], version));
  }

  const store: RosterStore = {
    async update(account, contact, decide) {
      let after: RosterItem | undefined;
      const updated = await repo.update(account.toBareString(), contact.toBareString(), (entry) => {
        const decision = decide(entry);
        after = decision.item === 'remove' ? undefined : decision.item;
        return decision;
      });
      const { result, before, version, refused } = updated;
      return { result, refused, change: version === undefined ? undefined : { account, contact, before, after, version } };
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
