// Rosters in PostgreSQL. Every write to an account's roster takes the account's advisory lock in
// its transaction, so read-modify-write cycles (update, the pending-request limits) see no other
// node's change in between; reads are single statements, each one snapshot.
import { pendingRequestBytes } from '../pending-requests.js';
import type { PendingRequest, RosterChange, RosterItem, RosterRepository, Subscription } from '../types.js';
import { LOCK, lockKey, type Database, type Queryable } from './pool.js';

interface ItemRow {
  contact: string;
  name: string | null;
  subscription: Subscription;
  ask: boolean;
  approved: boolean;
  groups: string[];
}

const ITEM_COLUMNS = 'name, subscription, ask, approved, groups';

function toItem(row: ItemRow): RosterItem {
  const item: RosterItem = { jid: row.contact, subscription: row.subscription, ask: row.ask, approved: row.approved, groups: row.groups };
  if (row.name !== null) item.name = row.name;
  return item;
}

/** Bumps the account's version and records the contact as changed at it, in one round trip. */
async function bump(tx: Queryable, account: string, contact: string): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `WITH bumped AS (
       INSERT INTO roster_versions (account, version) VALUES ($1, 1)
       ON CONFLICT (account) DO UPDATE SET version = roster_versions.version + 1 RETURNING version)
     INSERT INTO roster_changes (account, contact, version) SELECT $1, $2, version FROM bumped
     ON CONFLICT (account, contact) DO UPDATE SET version = excluded.version RETURNING version`,
    [account, contact],
  );
  return rows[0]!.version;
}

async function putItem(tx: Queryable, account: string, item: RosterItem): Promise<number> {
  await tx.query(
    `INSERT INTO roster_items (account, contact, ${ITEM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (account, contact) DO UPDATE SET name = excluded.name, subscription = excluded.subscription,
       ask = excluded.ask, approved = excluded.approved, groups = excluded.groups`,
    [account, item.jid, item.name ?? null, item.subscription, item.ask, item.approved, JSON.stringify(item.groups)],
  );
  return bump(tx, account, item.jid);
}

async function removeItem(tx: Queryable, account: string, contact: string): Promise<number | undefined> {
  const { rowCount } = await tx.query('DELETE FROM roster_items WHERE account = $1 AND contact = $2', [account, contact]);
  return rowCount ? bump(tx, account, contact) : undefined;
}

/** Call holding the account's lock: the count and the insert then see no other writer. */
async function addPending(tx: Queryable, account: string, request: PendingRequest, maxCount: number, maxBytes: number): Promise<boolean> {
  const bytes = pendingRequestBytes(request);
  const { rows } = await tx.query<{ n: number; b: number }>(
    'SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM pending_in WHERE account = $1 AND contact <> $2',
    [account, request.jid],
  );
  const others = rows[0] ?? { n: 0, b: 0 };
  if (others.n >= maxCount || others.b + bytes > maxBytes) return false;
  // A contact asking again keeps its place: seq is the first request's.
  await tx.query(
    `INSERT INTO pending_in (account, contact, status, nick, bytes) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account, contact) DO UPDATE SET status = excluded.status, nick = excluded.nick, bytes = excluded.bytes`,
    [account, request.jid, request.status ?? null, request.nick ?? null, bytes],
  );
  return true;
}

async function removePending(tx: Queryable, account: string, contact: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM pending_in WHERE account = $1 AND contact = $2', [account, contact]);
  return (rowCount ?? 0) > 0;
}

export function createPostgresRosterRepository(db: Database): RosterRepository {
  /** A write under the account's lock. */
  const locked = <T>(account: string, work: (tx: Queryable) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      await lockKey(tx, LOCK.roster, account);
      return work(tx);
    });
  const itemOf = async (q: Queryable, account: string, contact: string): Promise<RosterItem | undefined> => {
    const { rows } = await q.query<ItemRow>(`SELECT contact, ${ITEM_COLUMNS} FROM roster_items WHERE account = $1 AND contact = $2`, [account, contact]);
    return rows[0] && toItem(rows[0]);
  };

  return {
    async get(account) {
      // One statement, one snapshot: the version always matches the items.
      const { rows } = await db.query<{ version: number } & (ItemRow | { contact: null })>(
        `SELECT v.version, i.contact, i.name, i.subscription, i.ask, i.approved, i.groups
         FROM (SELECT coalesce((SELECT version FROM roster_versions WHERE account = $1), 0) AS version) v
         LEFT JOIN roster_items i ON i.account = $1 ORDER BY i.contact COLLATE "C"`,
        [account],
      );
      const items = rows.flatMap((row) => (row.contact === null ? [] : [toItem(row as ItemRow)]));
      return { version: rows[0]?.version ?? 0, items };
    },
    getItem: (account, contact) => itemOf(db, account, contact),
    put: (account, item) => locked(account, (tx) => putItem(tx, account, item)),
    remove: (account, contact) => locked(account, (tx) => removeItem(tx, account, contact)),
    async changesSince(account, since) {
      if (!Number.isInteger(since) || since < 0) return undefined;
      const { rows } = await db.query<{ version: number; changed: string | null } & Partial<ItemRow>>(
        `SELECT v.version, c.contact AS changed, i.contact, i.name, i.subscription, i.ask, i.approved, i.groups
         FROM (SELECT coalesce((SELECT version FROM roster_versions WHERE account = $1), 0) AS version) v
         LEFT JOIN roster_changes c ON c.account = $1 AND c.version > $2
         LEFT JOIN roster_items i ON i.account = c.account AND i.contact = c.contact
         ORDER BY c.version`,
        [account, since],
      );
      const version = rows[0]?.version ?? 0;
      if (since > version) return undefined;
      const changes = rows.flatMap((row): RosterChange[] => {
        if (row.changed === null) return [];
        return row.contact === null || row.contact === undefined ? [{ jid: row.changed }] : [{ jid: row.changed, item: toItem(row as ItemRow) }];
      });
      return { version, changes };
    },
    async count(account) {
      const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM roster_items WHERE account = $1', [account]);
      return rows[0]?.n ?? 0;
    },
    addPendingIn: (account, request, limits) => locked(account, (tx) => addPending(tx, account, request, limits.maxCount, limits.maxBytes)),
    async hasPendingIn(account, contact) {
      const { rowCount } = await db.query('SELECT 1 FROM pending_in WHERE account = $1 AND contact = $2', [account, contact]);
      return (rowCount ?? 0) > 0;
    },
    removePendingIn: (account, contact) => locked(account, (tx) => removePending(tx, account, contact)),
    async pendingIn(account) {
      const { rows } = await db.query<{ contact: string; status: string | null; nick: string | null }>(
        'SELECT contact, status, nick FROM pending_in WHERE account = $1 ORDER BY seq',
        [account],
      );
      return rows.map((row) => {
        const request: PendingRequest = { jid: row.contact };
        if (row.status !== null) request.status = row.status;
        if (row.nick !== null) request.nick = row.nick;
        return request;
      });
    },
    async deleteAccount(account) {
      await locked(account, async (tx) => {
        for (const table of ['roster_versions', 'roster_items', 'roster_changes', 'pending_in']) {
          await tx.query(`DELETE FROM ${table} WHERE account = $1`, [account]);
        }
      });
    },
    update: (account, contact, decide) =>
      locked(account, async (tx) => {
        // The entry in one read (after the lock: a statement's snapshot is taken when it starts).
        const { rows } = await tx.query<{ n: number; pending: boolean } & (ItemRow | { contact: null })>(
          `SELECT (SELECT count(*) FROM roster_items WHERE account = $1) AS n,
                  EXISTS (SELECT 1 FROM pending_in WHERE account = $1 AND contact = $2) AS pending,
                  i.contact, i.name, i.subscription, i.ask, i.approved, i.groups
           FROM (SELECT 1) one LEFT JOIN roster_items i ON i.account = $1 AND i.contact = $2`,
          [account, contact],
        );
        const row = rows[0]!;
        // Two copies: what `decide` does to its own cannot change `before`.
        const read = (): RosterItem | undefined => (row.contact === null ? undefined : toItem({ ...row, groups: [...row.groups] }));
        const before = read();
        const pendingIn = row.pending;
        const change = decide({ item: read(), pendingIn, count: row.n });
        if (change.pendingIn === 'remove') await removePending(tx, account, contact);
        else if (change.pendingIn) {
          const { request, limits } = change.pendingIn;
          const stored = await addPending(tx, account, request, limits.maxCount, limits.maxBytes);
          if (!stored && !pendingIn) return { result: change.result, before, refused: true };
        }
        let version: number | undefined;
        if (change.item === 'remove') version = await removeItem(tx, account, contact);
        else if (change.item) version = await putItem(tx, account, change.item);
        return version === undefined ? { result: change.result, before, refused: false } : { result: change.result, before, version, refused: false };
      }),
  };
}
