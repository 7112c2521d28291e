// Publish-subscribe nodes in PostgreSQL (tables as SQLite's). Limits are checked under the
// owner's advisory lock in the transaction that writes, so publishes on several nodes cannot
// slip past the owner's byte bound or its node count together.
import type { PubsubAffiliation, PubsubItem, PubsubNodeConfig, PubsubRepository } from '../types.js';
import { PUBSUB_ITEM_COLUMNS as ITEM_COLUMNS, pubsubItemFromRow as toItem, type PubsubItemRow } from '../sql-rows.js';
import { LOCK, lockKey, type Database, type Queryable } from './pool.js';

const parseConfig = (json: string): PubsubNodeConfig => JSON.parse(json) as PubsubNodeConfig;

async function nodeExists(q: Queryable, owner: string, node: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM pubsub_nodes WHERE owner = $1 AND node = $2', [owner, node]);
  return (rowCount ?? 0) > 0;
}

/** Keeps the node's newest `keep` items. */
async function trim(q: Queryable, owner: string, node: string, keep: number): Promise<void> {
  await q.query(
    `DELETE FROM pubsub_items WHERE owner = $1 AND node = $2 AND seq < (
       SELECT min(seq) FROM (SELECT seq FROM pubsub_items WHERE owner = $1 AND node = $2 ORDER BY seq DESC LIMIT $3) AS kept)`,
    [owner, node, keep],
  );
}

export function createPostgresPubsubRepository(db: Database): PubsubRepository {
  const ownerLocked = <T>(owner: string, work: (tx: Queryable) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      await lockKey(tx, LOCK.pubsubOwner, owner);
      return work(tx);
    });
  const ownerBytes = async (owner: string, q: Queryable = db): Promise<number> => {
    const { rows } = await q.query<{ n: number }>('SELECT coalesce(sum(bytes), 0) AS n FROM pubsub_items WHERE owner = $1', [owner]);
    return rows[0]?.n ?? 0;
  };

  return {
    async getNode(owner, node) {
      const { rows } = await db.query<{ config: string }>('SELECT config FROM pubsub_nodes WHERE owner = $1 AND node = $2', [owner, node]);
      return rows[0] && { node, config: parseConfig(rows[0].config) };
    },
    async listNodes(owner) {
      const { rows } = await db.query<{ node: string; config: string }>('SELECT node, config FROM pubsub_nodes WHERE owner = $1 ORDER BY node COLLATE "C"', [owner]);
      return rows.map((row) => ({ node: row.node, config: parseConfig(row.config) }));
    },
    createNode: (owner, node, config, maxNodes) =>
      ownerLocked(owner, async (tx) => {
        if (await nodeExists(tx, owner, node)) return 'exists';
        const { rows } = await tx.query<{ n: number }>('SELECT count(*) AS n FROM pubsub_nodes WHERE owner = $1', [owner]);
        if ((rows[0]?.n ?? 0) >= maxNodes) return 'full';
        await tx.query('INSERT INTO pubsub_nodes (owner, node, config) VALUES ($1, $2, $3)', [owner, node, JSON.stringify(config)]);
        return 'created';
      }),
    configureNode: (owner, node, config) =>
      ownerLocked(owner, async (tx) => {
        const { rowCount } = await tx.query('UPDATE pubsub_nodes SET config = $1 WHERE owner = $2 AND node = $3', [JSON.stringify(config), owner, node]);
        if (!rowCount) return false;
        await trim(tx, owner, node, config.maxItems);
        return true;
      }),
    async deleteNode(owner, node) {
      const { rowCount } = await db.query('DELETE FROM pubsub_nodes WHERE owner = $1 AND node = $2', [owner, node]);
      return (rowCount ?? 0) > 0;
    },
    publish: (owner, node, item, limits) =>
      ownerLocked(owner, async (tx) => {
        if (!(await nodeExists(tx, owner, node))) return 'no-node';
        const bytes = Buffer.byteLength(item.payload, 'utf8');
        const replaced = await tx.query<{ bytes: number }>('SELECT bytes FROM pubsub_items WHERE owner = $1 AND node = $2 AND item_id = $3', [
          owner,
          node,
          item.id,
        ]);
        if ((await ownerBytes(owner, tx)) - (replaced.rows[0]?.bytes ?? 0) + bytes > limits.maxOwnerBytes) return 'owner-full';
        const next = await tx.query<{ last_seq: number }>(
          'UPDATE pubsub_nodes SET last_seq = last_seq + 1 WHERE owner = $1 AND node = $2 RETURNING last_seq',
          [owner, node],
        );
        const seq = next.rows[0]?.last_seq;
        if (seq === undefined) return 'no-node';
        await tx.query(
          `INSERT INTO pubsub_items (owner, node, item_id, seq, payload, bytes, publisher, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (owner, node, item_id) DO UPDATE SET
             seq = excluded.seq, payload = excluded.payload, bytes = excluded.bytes, publisher = excluded.publisher, published_at = excluded.published_at`,
          [owner, node, item.id, seq, item.payload, bytes, item.publisher, item.publishedAt],
        );
        await trim(tx, owner, node, limits.keep);
        return { seq };
      }),
    ownerBytes: (owner) => ownerBytes(owner),
    async items(owner, node, query = {}) {
      const { rows } = await db.query<PubsubItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM pubsub_items WHERE owner = $1 AND node = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`,
        [owner, node, query.olderThan ?? Number.MAX_SAFE_INTEGER, query.max ?? null],
      );
      return rows.map(toItem);
    },
    async itemsById(owner, node, ids) {
      if (ids.length === 0) return [];
      const { rows } = await db.query<PubsubItemRow>(`SELECT ${ITEM_COLUMNS} FROM pubsub_items WHERE owner = $1 AND node = $2 AND item_id = ANY($3::text[])`, [
        owner,
        node,
        [...ids],
      ]);
      const byId = new Map(rows.map((row) => [row.item_id, toItem(row)]));
      return ids.flatMap((id) => {
        const item = byId.get(id);
        return item ? [item] : [];
      });
    },
    async lastItems(owner) {
      const { rows } = await db.query<PubsubItemRow & { node: string }>(
        `SELECT * FROM (SELECT DISTINCT ON (node) node, ${ITEM_COLUMNS} FROM pubsub_items WHERE owner = $1 ORDER BY node, seq DESC) newest
         ORDER BY node COLLATE "C"`,
        [owner],
      );
      return rows.map((row) => ({ node: row.node, item: toItem(row) }));
    },
    async retract(owner, node, id) {
      const { rowCount } = await db.query('DELETE FROM pubsub_items WHERE owner = $1 AND node = $2 AND item_id = $3', [owner, node, id]);
      return (rowCount ?? 0) > 0;
    },
    async purge(owner, node) {
      const { rowCount } = await db.query('DELETE FROM pubsub_items WHERE owner = $1 AND node = $2', [owner, node]);
      return rowCount ?? 0;
    },
    async affiliations(owner, node) {
      const { rows } = await db.query<{ jid: string; affiliation: PubsubAffiliation }>(
        'SELECT jid, affiliation FROM pubsub_affiliations WHERE owner = $1 AND node = $2 ORDER BY jid COLLATE "C"',
        [owner, node],
      );
      return rows;
    },
    async setAffiliation(owner, node, jid, affiliation) {
      if (!(await nodeExists(db, owner, node))) return false;
      if (affiliation === undefined) await db.query('DELETE FROM pubsub_affiliations WHERE owner = $1 AND node = $2 AND jid = $3', [owner, node, jid]);
      else {
        // Inserting for a node deleted meanwhile fails its foreign key: report it as gone.
        const { rowCount } = await db.query(
          `INSERT INTO pubsub_affiliations (owner, node, jid, affiliation) SELECT $1, $2, $3, $4
           WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE owner = $1 AND node = $2)
           ON CONFLICT (owner, node, jid) DO UPDATE SET affiliation = excluded.affiliation`,
          [owner, node, jid, affiliation],
        );
        return (rowCount ?? 0) > 0;
      }
      return true;
    },
    async subscribe(owner, node, jid) {
      if (!(await nodeExists(db, owner, node))) return false;
      await db.query(
        `INSERT INTO pubsub_subscriptions (owner, node, jid) SELECT $1, $2, $3
         WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE owner = $1 AND node = $2) ON CONFLICT (owner, node, jid) DO NOTHING`,
        [owner, node, jid],
      );
      return true;
    },
    async unsubscribe(owner, node, jid) {
      const { rowCount } = await db.query('DELETE FROM pubsub_subscriptions WHERE owner = $1 AND node = $2 AND jid = $3', [owner, node, jid]);
      return (rowCount ?? 0) > 0;
    },
    async subscribers(owner, node) {
      const { rows } = await db.query<{ jid: string }>('SELECT jid FROM pubsub_subscriptions WHERE owner = $1 AND node = $2 ORDER BY jid COLLATE "C"', [
        owner,
        node,
      ]);
      return rows.map((row) => row.jid);
    },
    async deleteAccount(owner) {
      await db.query('DELETE FROM pubsub_nodes WHERE owner = $1', [owner]);
    },
  };
}
