// Publish-subscribe nodes in SQLite (tables from migration step 5). The SQL is plain enough for
// PostgreSQL; the limits are checked inside the writing transaction (IMMEDIATE: write lock first).
import type { PubsubAffiliation, PubsubItem, PubsubNodeConfig, PubsubPublishLimits, PubsubPublishResult, PubsubRepository } from '../types.js';
import { PUBSUB_ITEM_COLUMNS as ITEM_COLUMNS, pubsubItemFromRow as toItem, type PubsubItemRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';
import { firstRows } from './first-rows.js';

type Key = [owner: string, node: string];

const parseConfig = (json: string): PubsubNodeConfig => JSON.parse(json) as PubsubNodeConfig;

export function createSqlitePubsubRepository(db: SqliteDatabase): PubsubRepository {
  const selectNode = db.prepare<Key, { config: string }>('SELECT config FROM pubsub_nodes WHERE owner = ? AND node = ?');
  const selectNodes = db.prepare<[string], { node: string; config: string }>('SELECT node, config FROM pubsub_nodes WHERE owner = ? ORDER BY node');
  const countNodes = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM pubsub_nodes WHERE owner = ?');
  const insertNode = db.prepare<[string, string, string]>('INSERT INTO pubsub_nodes (owner, node, config) VALUES (?, ?, ?)');
  const updateConfig = db.prepare<[string, string, string]>('UPDATE pubsub_nodes SET config = ? WHERE owner = ? AND node = ?');
  const deleteNode = db.prepare<Key>('DELETE FROM pubsub_nodes WHERE owner = ? AND node = ?');
  const deleteNodes = db.prepare<[string]>('DELETE FROM pubsub_nodes WHERE owner = ?');
  const nextSeq = db.prepare<Key, { last_seq: number }>(
    'UPDATE pubsub_nodes SET last_seq = last_seq + 1 WHERE owner = ? AND node = ? RETURNING last_seq',
  );
  const upsertItem = db.prepare<[string, string, string, number, string, number, string, number]>(
    `INSERT INTO pubsub_items (owner, node, item_id, seq, payload, bytes, publisher, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (owner, node, item_id) DO UPDATE SET
       seq = excluded.seq, payload = excluded.payload, bytes = excluded.bytes, publisher = excluded.publisher, published_at = excluded.published_at`,
  );
  const sumBytes = db.prepare<[string], { n: number }>('SELECT coalesce(sum(bytes), 0) AS n FROM pubsub_items WHERE owner = ?');
  const itemBytes = db.prepare<[string, string, string], { bytes: number }>('SELECT bytes FROM pubsub_items WHERE owner = ? AND node = ? AND item_id = ?');
  // Keeps the newest `keep`: everything older than the oldest of them goes.
  const trimItems = db.prepare<[string, string, string, string, number]>(
    `DELETE FROM pubsub_items WHERE owner = ? AND node = ? AND seq < (
       SELECT min(seq) FROM (SELECT seq FROM pubsub_items WHERE owner = ? AND node = ? ORDER BY seq DESC LIMIT ?) AS kept)`,
  );
  const purgeItems = db.prepare<Key>('DELETE FROM pubsub_items WHERE owner = ? AND node = ?');
  // No bound LIMIT: see first-rows.ts.
  const selectItems = db.prepare<[string, string, number], PubsubItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM pubsub_items WHERE owner = ? AND node = ? AND seq < ? ORDER BY seq DESC`,
  );
  const selectItem = db.prepare<[string, string, string], PubsubItemRow>(`SELECT ${ITEM_COLUMNS} FROM pubsub_items WHERE owner = ? AND node = ? AND item_id = ?`);
  const selectLastItems = db.prepare<[string], PubsubItemRow & { node: string }>(
    `SELECT i.node, ${ITEM_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ')} FROM pubsub_items i
     WHERE i.owner = ? AND i.seq = (SELECT max(seq) FROM pubsub_items m WHERE m.owner = i.owner AND m.node = i.node)
     ORDER BY i.node`,
  );
  const deleteItem = db.prepare<[string, string, string]>('DELETE FROM pubsub_items WHERE owner = ? AND node = ? AND item_id = ?');
  const selectAffiliations = db.prepare<Key, { jid: string; affiliation: PubsubAffiliation }>(
    'SELECT jid, affiliation FROM pubsub_affiliations WHERE owner = ? AND node = ? ORDER BY jid',
  );
  const upsertAffiliation = db.prepare<[string, string, string, string]>(
    `INSERT INTO pubsub_affiliations (owner, node, jid, affiliation) VALUES (?, ?, ?, ?)
     ON CONFLICT (owner, node, jid) DO UPDATE SET affiliation = excluded.affiliation`,
  );
  const deleteAffiliation = db.prepare<[string, string, string]>('DELETE FROM pubsub_affiliations WHERE owner = ? AND node = ? AND jid = ?');
  const insertSubscription = db.prepare<[string, string, string]>(
    'INSERT INTO pubsub_subscriptions (owner, node, jid) VALUES (?, ?, ?) ON CONFLICT (owner, node, jid) DO NOTHING',
  );
  const deleteSubscription = db.prepare<[string, string, string]>('DELETE FROM pubsub_subscriptions WHERE owner = ? AND node = ? AND jid = ?');
  const selectSubscribers = db.prepare<Key, { jid: string }>('SELECT jid FROM pubsub_subscriptions WHERE owner = ? AND node = ? ORDER BY jid');
  const nodeExists = (owner: string, node: string): boolean => selectNode.get(owner, node) !== undefined;

  const createTx = db.transaction((owner: string, node: string, config: PubsubNodeConfig, maxNodes: number) => {
    if (nodeExists(owner, node)) return 'exists' as const;
    if ((countNodes.get(owner)?.n ?? 0) >= maxNodes) return 'full' as const;
    insertNode.run(owner, node, JSON.stringify(config));
    return 'created' as const;
  });
  const configureTx = db.transaction((owner: string, node: string, config: PubsubNodeConfig): boolean => {
    if (updateConfig.run(JSON.stringify(config), owner, node).changes === 0) return false;
    trimItems.run(owner, node, owner, node, config.maxItems);
    return true;
  });
  // The byte check and the write share the IMMEDIATE transaction, so two sessions (or nodes)
  // publishing at once cannot both slip under the owner's bound.
  const publishTx = db.transaction((owner: string, node: string, item: Omit<PubsubItem, 'seq'>, limits: PubsubPublishLimits): PubsubPublishResult => {
    if (!nodeExists(owner, node)) return 'no-node';
    const bytes = Buffer.byteLength(item.payload, 'utf8');
    const replaced = itemBytes.get(owner, node, item.id)?.bytes ?? 0;
    if ((sumBytes.get(owner)?.n ?? 0) - replaced + bytes > limits.maxOwnerBytes) return 'owner-full';
    const seq = nextSeq.get(owner, node)?.last_seq;
    if (seq === undefined) return 'no-node';
    upsertItem.run(owner, node, item.id, seq, item.payload, bytes, item.publisher, item.publishedAt);
    trimItems.run(owner, node, owner, node, limits.keep);
    return { seq };
  });

  return {
    async getNode(owner, node) {
      const row = selectNode.get(owner, node);
      return row && { node, config: parseConfig(row.config) };
    },
    async listNodes(owner) {
      return selectNodes.all(owner).map((row) => ({ node: row.node, config: parseConfig(row.config) }));
    },
    async createNode(owner, node, config, maxNodes) {
      return createTx.immediate(owner, node, config, maxNodes);
    },
    async configureNode(owner, node, config) {
      return configureTx.immediate(owner, node, config);
    },
    async deleteNode(owner, node) {
      return deleteNode.run(owner, node).changes > 0;
    },
    async publish(owner, node, item, limits) {
      return publishTx.immediate(owner, node, item, limits);
    },
    async ownerBytes(owner) {
      return sumBytes.get(owner)?.n ?? 0;
    },
    async items(owner, node, query = {}) {
      return firstRows(selectItems.iterate(owner, node, query.olderThan ?? Number.MAX_SAFE_INTEGER), query.max).map(toItem);
    },
    async itemsById(owner, node, ids) {
      return ids.flatMap((id) => {
        const row = selectItem.get(owner, node, id);
        return row ? [toItem(row)] : [];
      });
    },
    async lastItems(owner) {
      return selectLastItems.all(owner).map((row) => ({ node: row.node, item: toItem(row) }));
    },
    async retract(owner, node, id) {
      return deleteItem.run(owner, node, id).changes > 0;
    },
    async purge(owner, node) {
      return purgeItems.run(owner, node).changes;
    },
    async affiliations(owner, node) {
      return selectAffiliations.all(owner, node).map((row) => ({ jid: row.jid, affiliation: row.affiliation }));
    },
    async setAffiliation(owner, node, jid, affiliation) {
      if (!nodeExists(owner, node)) return false;
      if (affiliation === undefined) deleteAffiliation.run(owner, node, jid);
      else upsertAffiliation.run(owner, node, jid, affiliation);
      return true;
    },
    async subscribe(owner, node, jid) {
      if (!nodeExists(owner, node)) return false;
      insertSubscription.run(owner, node, jid);
      return true;
    },
    async unsubscribe(owner, node, jid) {
      return deleteSubscription.run(owner, node, jid).changes > 0;
    },
    async subscribers(owner, node) {
      return selectSubscribers.all(owner, node).map((row) => row.jid);
    },
    async deleteAccount(owner) {
      deleteNodes.run(owner);
    },
  };
}
