// Blocklists are read for every stanza to or from an account, so each is kept in memory once
// loaded. This is a cache, never the truth: storage is, and a change invalidates the account's
// entry. With several nodes, a change on one must also invalidate the others (a NodeBus
// broadcast, not built yet); until then each node would serve its stale copy.
import type { BlocklistRepository } from '../../storage/types.js';
import type { Blocklist } from './matching.js';

export interface BlocklistCache {
  get(account: string): Promise<Blocklist>;
  /** Forget the account's list (call after each change, once storage has it). */
  invalidate(account: string): void;
}

/**
 * Two generations approximate LRU with O(1) work: `capacity` recent accounts stay, older ones
 * are dropped a generation at a time. Entries are promises, so concurrent first uses load once;
 * a load that fails is forgotten, so the next use tries again.
 */
export function createBlocklistCache(repo: BlocklistRepository, capacity: number): BlocklistCache {
  let recent = new Map<string, Promise<Blocklist>>();
  let older = new Map<string, Promise<Blocklist>>();

  function remember(account: string, list: Promise<Blocklist>): void {
    if (recent.size >= capacity) {
      older = recent;
      recent = new Map();
    }
    recent.set(account, list);
  }

  return {
    get(account) {
      const cached = recent.get(account);
      if (cached) return cached;
      const aging = older.get(account);
      if (aging) {
        older.delete(account);
        remember(account, aging);
        return aging;
      }
      const loading = repo.list(account).then((jids): Blocklist => new Set(jids));
      remember(account, loading);
      loading.catch(() => {
        if (recent.get(account) === loading) recent.delete(account);
      });
      return loading;
    },
    invalidate(account) {
      recent.delete(account);
      older.delete(account);
    },
  };
}
