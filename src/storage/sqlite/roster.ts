// Rosters in SQLite (tables from migration steps 2 and 4). Statements are prepared once per connection.
import { pendingRequestBytes } from '../pending-requests.js';
import type {
  PendingLimits, PendingRequest, RosterChange, RosterEntry, RosterEntryChange, RosterEntryUpdate, RosterItem, RosterRepository, Subscription,
} from '../types.js';
import type { SqliteDatabase } from './database.js';

interface ItemRow {
  contact: string;
  name: string | null;
  subscription: Subscription;
  ask: number;
  approved: number;
  groups: string;
}

/** A change-log row whose contact is no longer in the roster: the joined item columns are NULL. */
interface TombstoneRow {
  contact: string;
  name: null;
  subscription: null;
  ask: null;
  approved: null;
  groups: null;
}

interface PendingRow {
  contact: string;
  status: string | null;
  nick: string | null;
}

interface PendingParams {
  account: string;
  contact: string;
  status: string | null;
  nick: string | null;
  bytes: number;
  maxCount: number;
  maxBytes: number;
}

function toPendingRequest(row: PendingRow): PendingRequest {
  const request: PendingRequest = { jid: row.contact };
  if (row.status !== null) request.status = row.status;
  if (row.nick !== null) request.nick = row.nick;
  return request;
}

const ITEM_COLUMNS = 'name, subscription, ask, approved, groups';

function toItem(row: ItemRow): RosterItem {
  const item: RosterItem = {
    jid: row.contact,
    subscription: row.subscription,
    ask: row.ask === 1,
    approved: row.approved === 1,
    groups: JSON.parse(row.groups) as string[],
  };
  // exactOptionalPropertyTypes: leave the key out rather than set it to undefined.
  if (row.name !== null) item.name = row.name;
  return item;
}

export function createSqliteRosterRepository(db: SqliteDatabase): RosterRepository {
  const selectVersion = db.prepare<[string], { version: number }>(
    'SELECT version FROM roster_versions WHERE account = ?',
  );
  const bumpVersion = db.prepare<[string], { version: number }>(
    `INSERT INTO roster_versions (account, version) VALUES (?, 1)
     ON CONFLICT (account) DO UPDATE SET version = version + 1 RETURNING version`,
  );
  const selectItems = db.prepare<[string], ItemRow>(
    `SELECT contact, ${ITEM_COLUMNS} FROM roster_items WHERE account = ? ORDER BY contact`,
  );
  const selectItem = db.prepare<[string, string], ItemRow>(
    `SELECT contact, ${ITEM_COLUMNS} FROM roster_items WHERE account = ? AND contact = ?`,
  );
  const upsertItem = db.prepare<[string, string, string | null, Subscription, number, number, string]>(
    `INSERT INTO roster_items (account, contact, ${ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account, contact) DO UPDATE SET name = excluded.name, subscription = excluded.subscription,
       ask = excluded.ask, approved = excluded.approved, groups = excluded.groups`,
  );
  const deleteItem = db.prepare<[string, string]>('DELETE FROM roster_items WHERE account = ? AND contact = ?');
  const recordChange = db.prepare<[string, string, number]>(
    `INSERT INTO roster_changes (account, contact, version) VALUES (?, ?, ?)
     ON CONFLICT (account, contact) DO UPDATE SET version = excluded.version`,
  );
  const selectChanges = db.prepare<[string, number], ItemRow | TombstoneRow>(
    `SELECT c.contact, i.name, i.subscription, i.ask, i.approved, i.groups
     FROM roster_changes c LEFT JOIN roster_items i ON i.account = c.account AND i.contact = c.contact
     WHERE c.account = ? AND c.version > ? ORDER BY c.version`,
  );
  const countItems = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM roster_items WHERE account = ?');
  // One statement counts the account's other requests and their bytes and inserts only within
  // the limits, so two writers cannot both take the last place. On conflict (the contact asks
  // again) the row is replaced in place: seq, its arrival order, stays that of the first request.
  const addPending = db.prepare<[PendingParams]>(
    `INSERT INTO pending_in (account, contact, status, nick, bytes)
     SELECT @account, @contact, @status, @nick, @bytes
     FROM (SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM pending_in WHERE account = @account AND contact <> @contact)
     WHERE n < @maxCount AND b + @bytes <= @maxBytes
     ON CONFLICT (account, contact) DO UPDATE SET status = excluded.status, nick = excluded.nick, bytes = excluded.bytes`,
  );
  const deletePending = db.prepare<[string, string]>('DELETE FROM pending_in WHERE account = ? AND contact = ?');
  const selectOnePending = db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM pending_in WHERE account = ? AND contact = ?');
  const selectPending = db.prepare<[string], PendingRow>('SELECT contact, status, nick FROM pending_in WHERE account = ? ORDER BY seq');
  const deleteAll = ['roster_versions', 'roster_items', 'roster_changes', 'pending_in'].map((table) =>
    db.prepare<[string]>(`DELETE FROM ${table} WHERE account = ?`),
  );

  const currentVersion = (account: string): number => selectVersion.get(account)?.version ?? 0;

  /** Bumps the version and records the contact as changed at it; call inside a transaction. */
  const bump = (account: string, contact: string): number => {
    const row = bumpVersion.get(account);
    if (!row) throw new Error('roster version upsert returned no row');
    recordChange.run(account, contact, row.version);
    return row.version;
  };

  // Writes take the write lock up front (IMMEDIATE), as in users.ts, so a second connection
  // cannot make the read-then-write fail midway. Reads run in a deferred transaction so the
  // version and the rows come from one snapshot even while another connection writes.
  const putTx = db.transaction((account: string, item: RosterItem): number => {
    upsertItem.run(
      account,
      item.jid,
      item.name ?? null,
      item.subscription,
      item.ask ? 1 : 0,
      item.approved ? 1 : 0,
      JSON.stringify(item.groups),
    );
    return bump(account, item.jid);
  });
  const removeTx = db.transaction((account: string, contact: string): number | undefined => {
    if (deleteItem.run(account, contact).changes === 0) return undefined;
    return bump(account, contact);
  });
  const getTx = db.transaction((account: string) => ({
    version: currentVersion(account),
    items: selectItems.all(account).map(toItem),
  }));
  const changesTx = db.transaction((account: string, since: number) => {
    const version = currentVersion(account);
    // Checked before binding: SQLite would compare NaN or a fraction without complaint.
    if (!Number.isInteger(since) || since < 0 || since > version) return undefined;
    const changes = selectChanges.all(account, since).map(
      (row): RosterChange => (row.subscription === null ? { jid: row.contact } : { jid: row.contact, item: toItem(row) }),
    );
    return { version, changes };
  });
  const pendingParams = (account: string, request: PendingRequest, limits: PendingLimits): PendingParams => ({
    account,
    contact: request.jid,
    status: request.status ?? null,
    nick: request.nick ?? null,
    bytes: pendingRequestBytes(request),
    maxCount: limits.maxCount,
    maxBytes: limits.maxBytes,
  });
  // The read, the decision and the writes in one IMMEDIATE transaction: the write lock is taken
  // first, so no other connection changes the account's roster in between.
  const updateTx = db.transaction(<T>(account: string, contact: string, decide: (entry: RosterEntry) => RosterEntryChange<T>): RosterEntryUpdate<T> => {
    const row = selectItem.get(account, contact);
    const before = row && toItem(row);
    const pendingIn = selectOnePending.get(account, contact) !== undefined;
    const change = decide({ item: row && toItem(row), pendingIn, count: countItems.get(account)?.n ?? 0 });
    if (change.pendingIn === 'remove') deletePending.run(account, contact);
    else if (change.pendingIn) {
      const stored = addPending.run(pendingParams(account, change.pendingIn.request, change.pendingIn.limits)).changes > 0;
      if (!stored && !pendingIn) return { result: change.result, before, refused: true };
    }
    let version: number | undefined;
    if (change.item === 'remove') version = deleteItem.run(account, contact).changes > 0 ? bump(account, contact) : undefined;
    else if (change.item) version = putTx(account, change.item);
    return version === undefined ? { result: change.result, before, refused: false } : { result: change.result, before, version, refused: false };
  });
  const deleteAccountTx = db.transaction((account: string): void => {
    for (const statement of deleteAll) statement.run(account);
  });

  return {
    async get(account) {
      return getTx(account);
    },
    async getItem(account, contact) {
      const row = selectItem.get(account, contact);
      return row && toItem(row);
    },
    async put(account, item) {
      return putTx.immediate(account, item);
    },
    async remove(account, contact) {
      return removeTx.immediate(account, contact);
    },
    async changesSince(account, version) {
      return changesTx(account, version);
    },
    async count(account) {
      return countItems.get(account)?.n ?? 0;
    },
    async addPendingIn(account, request, limits) {
      return addPending.run(pendingParams(account, request, limits)).changes > 0;
    },
    async hasPendingIn(account, contact) {
      return selectOnePending.get(account, contact) !== undefined;
    },
    async removePendingIn(account, contact) {
      return deletePending.run(account, contact).changes > 0;
    },
    async pendingIn(account) {
      return selectPending.all(account).map(toPendingRequest);
    },
    async deleteAccount(account) {
      deleteAccountTx.immediate(account);
    },
    async update<T>(account: string, contact: string, decide: (entry: RosterEntry) => RosterEntryChange<T>) {
      return updateTx.immediate(account, contact, decide) as RosterEntryUpdate<T>;
    },
  };
}
