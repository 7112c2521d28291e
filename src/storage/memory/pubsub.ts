// Publish-subscribe nodes in process memory, with the SQLite backend's semantics.
import type { PubsubAffiliation, PubsubItem, PubsubNodeConfig, PubsubRepository } from '../types.js';

interface NodeState {
  config: PubsubNodeConfig;
  lastSeq: number;
  /** Oldest first. */
  items: PubsubItem[];
  affiliations: Map<string, PubsubAffiliation>;
  subscribers: Set<string>;
}

const bytesOf = (item: { payload: string }): number => Buffer.byteLength(item.payload, 'utf8');
const copyConfig = (config: PubsubNodeConfig): PubsubNodeConfig => ({ ...config, rosterGroups: [...config.rosterGroups] });
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function createMemoryPubsubRepository(assertOpen: () => void): PubsubRepository {
  /** owner → node name → state. */
  const owners = new Map<string, Map<string, NodeState>>();
  const find = (owner: string, node: string): NodeState | undefined => {
    assertOpen();
    return owners.get(owner)?.get(node);
  };
  const trim = (state: NodeState, keep: number): void => {
    if (state.items.length > keep) state.items.splice(0, state.items.length - keep);
  };

  return {
    async getNode(owner, node) {
      const state = find(owner, node);
      return state && { node, config: copyConfig(state.config) };
    },
    async listNodes(owner) {
      assertOpen();
      const nodes = [...(owners.get(owner) ?? new Map<string, NodeState>()).entries()];
      return nodes.sort(([a], [b]) => byCodeUnits(a, b)).map(([node, state]) => ({ node, config: copyConfig(state.config) }));
    },
    async createNode(owner, node, config, maxNodes) {
      assertOpen();
      const nodes = owners.get(owner) ?? new Map<string, NodeState>();
      if (nodes.has(node)) return 'exists';
      if (nodes.size >= maxNodes) return 'full';
      nodes.set(node, { config: copyConfig(config), lastSeq: 0, items: [], affiliations: new Map(), subscribers: new Set() });
      owners.set(owner, nodes);
      return 'created';
    },
    async configureNode(owner, node, config) {
      const state = find(owner, node);
      if (!state) return false;
      state.config = copyConfig(config);
      trim(state, config.maxItems);
      return true;
    },
    async deleteNode(owner, node) {
      const deleted = find(owner, node) !== undefined;
      owners.get(owner)?.delete(node);
      return deleted;
    },
    async publish(owner, node, item, { keep, maxOwnerBytes }) {
      const state = find(owner, node);
      if (!state) return 'no-node';
      const held = [...(owners.get(owner)?.values() ?? [])].flatMap((s) => s.items.filter((i) => s !== state || i.id !== item.id));
      if (held.reduce((sum, i) => sum + bytesOf(i), 0) + bytesOf(item) > maxOwnerBytes) return 'owner-full';
      state.lastSeq += 1;
      state.items = state.items.filter((i) => i.id !== item.id);
      state.items.push({ ...item, seq: state.lastSeq });
      trim(state, keep);
      return { seq: state.lastSeq };
    },
    async ownerBytes(owner) {
      assertOpen();
      return [...(owners.get(owner)?.values() ?? [])].reduce((sum, s) => s.items.reduce((n, i) => n + bytesOf(i), sum), 0);
    },
    async items(owner, node, query = {}) {
      const newestFirst = [...(find(owner, node)?.items ?? [])].reverse();
      const { olderThan } = query;
      const page = olderThan === undefined ? newestFirst : newestFirst.filter((i) => i.seq < olderThan);
      return page.slice(0, query.max ?? page.length).map((i) => ({ ...i }));
    },
    async itemsById(owner, node, ids) {
      const items = find(owner, node)?.items ?? [];
      return ids.flatMap((id) => items.filter((i) => i.id === id).map((i) => ({ ...i })));
    },
    async lastItems(owner) {
      assertOpen();
      const nodes = [...(owners.get(owner) ?? new Map<string, NodeState>()).entries()].sort(([a], [b]) => byCodeUnits(a, b));
      return nodes.flatMap(([node, state]) => {
        const item = state.items.at(-1);
        return item ? [{ node, item: { ...item } }] : [];
      });
    },
    async retract(owner, node, id) {
      const state = find(owner, node);
      if (!state) return false;
      const before = state.items.length;
      state.items = state.items.filter((i) => i.id !== id);
      return state.items.length < before;
    },
    async purge(owner, node) {
      const state = find(owner, node);
      if (!state) return 0;
      const purged = state.items.length;
      state.items = [];
      return purged;
    },
    async affiliations(owner, node) {
      const entries = [...(find(owner, node)?.affiliations ?? new Map<string, PubsubAffiliation>()).entries()];
      return entries.sort(([a], [b]) => byCodeUnits(a, b)).map(([jid, affiliation]) => ({ jid, affiliation }));
    },
    async setAffiliation(owner, node, jid, affiliation) {
      const state = find(owner, node);
      if (!state) return false;
      if (affiliation === undefined) state.affiliations.delete(jid);
      else state.affiliations.set(jid, affiliation);
      return true;
    },
    async subscribe(owner, node, jid) {
      const state = find(owner, node);
      state?.subscribers.add(jid);
      return state !== undefined;
    },
    async unsubscribe(owner, node, jid) {
      return find(owner, node)?.subscribers.delete(jid) ?? false;
    },
    async subscribers(owner, node) {
      return [...(find(owner, node)?.subscribers ?? [])].sort(byCodeUnits);
    },
    async deleteAccount(owner) {
      assertOpen();
      owners.delete(owner);
    },
  };
}
