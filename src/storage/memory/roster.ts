// Rosters in process memory, with the same versioning behaviour as the SQLite backend.
import { pendingRequestBytes } from '../pending-requests.js';
import type { PendingLimits, PendingRequest, RosterItem, RosterRepository } from '../types.js';

interface AccountRoster {
  version: number;
  items: Map<string, RosterItem>;
  /** Version at which each contact last changed (removed contacts stay as tombstones). */
  changedAt: Map<string, number>;
  /** Insertion order is arrival order; a replaced request keeps its place. */
  pendingIn: Map<string, PendingRequest>;
}

const copy = (item: RosterItem): RosterItem => ({ ...item, groups: [...item.groups] });

export function createMemoryRosterRepository(assertOpen: () => void): RosterRepository {
  const rosters = new Map<string, AccountRoster>();
  const rosterOf = (account: string): AccountRoster => {
    let roster = rosters.get(account);
    if (!roster) rosters.set(account, (roster = { version: 0, items: new Map(), changedAt: new Map(), pendingIn: new Map() }));
    return roster;
  };

  const put = (account: string, item: RosterItem): number => {
    const roster = rosterOf(account);
    roster.version += 1;
    roster.items.set(item.jid, copy(item));
    roster.changedAt.set(item.jid, roster.version);
    return roster.version;
  };
  const remove = (account: string, contact: string): number | undefined => {
    const roster = rosters.get(account);
    if (!roster?.items.delete(contact)) return undefined;
    roster.version += 1;
    roster.changedAt.set(contact, roster.version);
    return roster.version;
  };
  const addPendingIn = (account: string, request: PendingRequest, limits: PendingLimits): boolean => {
    const pending = rosterOf(account).pendingIn;
    let count = 1;
    let bytes = pendingRequestBytes(request);
    for (const [jid, other] of pending) {
      if (jid === request.jid) continue; // the one being replaced
      count += 1;
      bytes += pendingRequestBytes(other);
    }
    if (count > limits.maxCount || bytes > limits.maxBytes) return false;
    pending.set(request.jid, { ...request });
    return true;
  };

  return {
    async get(account) {
      assertOpen();
      const roster = rosterOf(account);
      return { version: roster.version, items: [...roster.items.values()].map(copy) };
    },
    async getItem(account, contact) {
      assertOpen();
      const item = rosters.get(account)?.items.get(contact);
      return item && copy(item);
    },
    async put(account, item) {
      assertOpen();
      return put(account, item);
    },
    async remove(account, contact) {
      assertOpen();
      return remove(account, contact);
    },
    async changesSince(account, version) {
      assertOpen();
      const roster = rosterOf(account);
      if (!Number.isInteger(version) || version < 0 || version > roster.version) return undefined;
      const changes = [...roster.changedAt.entries()]
        .filter(([, at]) => at > version)
        .sort((a, b) => a[1] - b[1])
        .map(([jid]) => {
          const item = roster.items.get(jid);
          return item ? { jid, item: copy(item) } : { jid };
        });
      return { version: roster.version, changes };
    },
    async count(account) {
      assertOpen();
      return rosters.get(account)?.items.size ?? 0;
    },
    async addPendingIn(account, request, limits) {
      assertOpen();
      return addPendingIn(account, request, limits);
    },
    async hasPendingIn(account, contact) {
      assertOpen();
      return rosters.get(account)?.pendingIn.has(contact) ?? false;
    },
    async removePendingIn(account, contact) {
      assertOpen();
      return rosters.get(account)?.pendingIn.delete(contact) ?? false;
    },
    async pendingIn(account) {
      assertOpen();
      return [...(rosters.get(account)?.pendingIn.values() ?? [])].map((request) => ({ ...request }));
    },
    async deleteAccount(account) {
      assertOpen();
      rosters.delete(account);
    },
    async update(account, contact, decide) {
      assertOpen();
      // Synchronous from the read to the last write: nothing else runs in between.
      const found = rosters.get(account)?.items.get(contact);
      const before = found && copy(found);
      const pendingIn = rosters.get(account)?.pendingIn.has(contact) ?? false;
      const change = decide({ item: before && copy(before), pendingIn, count: rosters.get(account)?.items.size ?? 0 });
      if (change.pendingIn === 'remove') rosters.get(account)?.pendingIn.delete(contact);
      else if (change.pendingIn && !addPendingIn(account, change.pendingIn.request, change.pendingIn.limits) && !pendingIn) {
        return { result: change.result, before, refused: true };
      }
      const version = change.item === 'remove' ? remove(account, contact) : change.item ? put(account, change.item) : undefined;
      return version === undefined ? { result: change.result, before, refused: false } : { result: change.result, before, version, refused: false };
    },
  };
}
