import { parseJid } from '../../protocol/jid.js';
import type { SessionRef } from './session-ref.js';
import type { SessionRegistry } from './session-registry.js';

/**
 * Single-node registry: two maps in this process. Records are stored frozen (flags included) and
 * handed out as they are: every message looks sessions up, and copying them each time cost more
 * than the look-up itself.
 */
export function createLocalSessionRegistry(): SessionRegistry {
  const byFull = new Map<string, SessionRef>();
  const byBare = new Map<string, Map<string, SessionRef>>();

  const bareOf = (fullJid: string) => parseJid(fullJid).toBareString();
  const snapshot = (ref: SessionRef): SessionRef => Object.freeze({ ...ref, flags: Object.freeze({ ...ref.flags }) });

  return {
    async add(ref) {
      const previous = byFull.get(ref.jid);
      const stored = snapshot(ref);
      byFull.set(ref.jid, stored);
      const bare = bareOf(ref.jid);
      let resources = byBare.get(bare);
      if (!resources) byBare.set(bare, (resources = new Map()));
      resources.set(ref.jid, stored);
      return previous;
    },

    async remove(ref) {
      const current = byFull.get(ref.jid);
      if (!current || current.id !== ref.id) return false;
      byFull.delete(ref.jid);
      const bare = bareOf(ref.jid);
      const resources = byBare.get(bare);
      resources?.delete(ref.jid);
      if (resources?.size === 0) byBare.delete(bare);
      return true;
    },

    async update(ref) {
      const current = byFull.get(ref.jid);
      if (!current || current.id !== ref.id) return;
      const stored = snapshot(ref);
      byFull.set(ref.jid, stored);
      byBare.get(bareOf(ref.jid))?.set(ref.jid, stored);
    },

    async byFullJid(fullJid) {
      return byFull.get(fullJid);
    },

    async byBareJid(bareJid) {
      const resources = byBare.get(bareJid);
      return resources ? [...resources.values()] : [];
    },

    async count() {
      return byFull.size;
    },
  };
}
