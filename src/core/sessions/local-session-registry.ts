import { parseJid } from '../../protocol/jid.js';
import type { SessionRef } from './session-ref.js';
import type { SessionRegistry } from './session-registry.js';

/** Single-node registry: two maps in this process. */
export function createLocalSessionRegistry(): SessionRegistry {
  const byFull = new Map<string, SessionRef>();
  const byBare = new Map<string, Map<string, SessionRef>>();

  const bareOf = (fullJid: string) => parseJid(fullJid).toBareString();

  return {
    async add(ref) {
      const previous = byFull.get(ref.jid);
      byFull.set(ref.jid, { ...ref });
      const bare = bareOf(ref.jid);
      let resources = byBare.get(bare);
      if (!resources) byBare.set(bare, (resources = new Map()));
      resources.set(ref.jid, { ...ref });
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
      byFull.set(ref.jid, { ...ref });
      byBare.get(bareOf(ref.jid))?.set(ref.jid, { ...ref });
    },

    async byFullJid(fullJid) {
      const ref = byFull.get(fullJid);
      return ref && { ...ref };
    },

    async byBareJid(bareJid) {
      return [...(byBare.get(bareJid)?.values() ?? [])].map((ref) => ({ ...ref }));
    },

    async count() {
      return byFull.size;
    },
  };
}
