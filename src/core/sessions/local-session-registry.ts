import { parseJid } from '../../protocol/jid.js';
import type { SessionRef } from './session-ref.js';
import type { SessionRegistry } from './session-registry.js';

/** An account's sessions: by full JID, and as the list byBareJid hands out. */
interface Account {
  readonly resources: Map<string, SessionRef>;
  list: readonly SessionRef[];
}

const NONE: readonly SessionRef[] = Object.freeze([]);

/**
 * Single-node registry: two maps in this process. Records, and each account's list of them, are
 * stored frozen and handed out as they are: every message looks sessions up, and copying them
 * each time cost more than the look-up itself. Lists are rebuilt when a session changes, which is
 * rare next to messages.
 */
export function createLocalSessionRegistry(): SessionRegistry {
  const byFull = new Map<string, SessionRef>();
  const byBare = new Map<string, Account>();

  const bareOf = (fullJid: string) => parseJid(fullJid).toBareString();
  const snapshot = (ref: SessionRef): SessionRef => Object.freeze({ ...ref, flags: Object.freeze({ ...ref.flags }) });
  const relist = (account: Account) => void (account.list = Object.freeze([...account.resources.values()]));

  return {
    async add(ref) {
      const previous = byFull.get(ref.jid);
      const stored = snapshot(ref);
      byFull.set(ref.jid, stored);
      const bare = bareOf(ref.jid);
      let account = byBare.get(bare);
      if (!account) byBare.set(bare, (account = { resources: new Map(), list: NONE }));
      account.resources.set(ref.jid, stored);
      relist(account);
      return previous;
    },

    async remove(ref) {
      const current = byFull.get(ref.jid);
      if (!current || current.id !== ref.id) return false;
      byFull.delete(ref.jid);
      const bare = bareOf(ref.jid);
      const account = byBare.get(bare);
      if (account) {
        account.resources.delete(ref.jid);
        if (account.resources.size === 0) byBare.delete(bare);
        else relist(account);
      }
      return true;
    },

    async update(ref) {
      const current = byFull.get(ref.jid);
      if (!current || current.id !== ref.id) return;
      const stored = snapshot(ref);
      byFull.set(ref.jid, stored);
      const account = byBare.get(bareOf(ref.jid));
      if (account) {
        account.resources.set(ref.jid, stored);
        relist(account);
      }
    },

    async byFullJid(fullJid) {
      return byFull.get(fullJid);
    },

    async byBareJid(bareJid) {
      return byBare.get(bareJid)?.list ?? NONE;
    },

    peekBareJid(bareJid) {
      return byBare.get(bareJid)?.list ?? NONE;
    },

    async count() {
      return byFull.size;
    },
  };
}
