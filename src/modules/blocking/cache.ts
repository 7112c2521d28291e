// Blocklists are read for every stanza to or from an account, so each is kept in memory once
// loaded. This is a cache, never the truth: storage is, and a change invalidates the account's
// entry. With several nodes, the node that made the change tells the others (a node notice,
// BLOCKLIST_CHANGED) before the client hears the change is made, and they drop their copy.
import type { BlocklistRepository } from '../../storage/types.js';
import type { Blocklist } from './matching.js';

/** Node notice topic: the account's (key) blocklist changed through another node. */
export const BLOCKLIST_CHANGED = 'blocking/changed';

export interface BlocklistCache {
  get(account: string): Promise<Blocklist>;
  /**
   * The list when it is loaded already, else undefined: lets the check made for every stanza
   * answer without awaiting (an await per stanza and direction showed in the message path's CPU).
   */
  peek(account: string): Blocklist | undefined;
  /** Forget the account's list (call after each change, once storage has it). */
  invalidate(account: string): void;
  /** Forget every list (notices from other nodes may have been missed). */
  clear(): void;
}

/**
 * Two generations approximate LRU with O(1) work: `capacity` recent accounts stay, older ones
 * are dropped a generation at a time. Entries are promises, so concurrent first uses load once;
 * a load that fails is forgotten, so the next use tries again.
 */
interface Entry {
  loading: Promise<Blocklist>;
  /** Set once loaded. */
  list: Blocklist | undefined;
}

export function createBlocklistCache(repo: BlocklistRepository, capacity: number): BlocklistCache {
  let recent = new Map<string, Entry>();
  let older = new Map<string, Entry>();

  function remember(account: string, entry: Entry): void {
    if (recent.size >= capacity) {
      older = recent;
      recent = new Map();
    }
    recent.set(account, entry);
  }

  function entryOf(account: string): Entry {
    const cached = recent.get(account);
    if (cached) return cached;
    const aging = older.get(account);
    if (aging) {
      older.delete(account);
      remember(account, aging);
      return aging;
    }
    const entry: Entry = { loading: repo.list(account).then((jids): Blocklist => (entry.list = new Set(jids))), list: undefined };
    remember(account, entry);
    entry.loading.catch(() => {
      if (recent.get(account) === entry) recent.delete(account);
    });
    return entry;
  }

  return {
    get: (account) => entryOf(account).loading,
    peek: (account) => entryOf(account).list,
    invalidate(account) {
      recent.delete(account);
      older.delete(account);
    },
    clear() {
      recent = new Map();
      older = new Map();
    },
  };
}
