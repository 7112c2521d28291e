// Message archives in process memory, with the SQLite backend's semantics.
import type { ArchiveQuery, ArchiveRepository, ArchivedMessage } from '../archive-types.js';

const bareOf = (jid: string): string => {
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
};

function matches(message: ArchivedMessage, query: ArchiveQuery, ids: Set<string> | undefined): boolean {
  if (query.with !== undefined) {
    const exact = query.with.includes('/');
    if (exact ? message.with !== query.with : bareOf(message.with) !== query.with) return false;
  }
  if (query.start !== undefined && message.timestamp < query.start) return false;
  if (query.end !== undefined && message.timestamp > query.end) return false;
  return ids === undefined || ids.has(message.id);
}

export function createMemoryArchiveRepository(assertOpen: () => void): ArchiveRepository {
  const archives = new Map<string, ArchivedMessage[]>();
  const archiveOf = (account: string): ArchivedMessage[] => archives.get(account) ?? [];
  /** Position of each id in its archive, or undefined when one is unknown. */
  const positions = (list: ArchivedMessage[], ids: readonly string[]): number[] | undefined => {
    const found = ids.map((id) => list.findIndex((m) => m.id === id));
    return found.includes(-1) ? undefined : found;
  };

  return {
    async append(account, message) {
      assertOpen();
      const list = archiveOf(account);
      if (list.some((m) => m.id === message.id)) return false;
      const newest = list[list.length - 1]?.timestamp ?? message.timestamp;
      list.push({ ...message, timestamp: Math.max(message.timestamp, newest) });
      archives.set(account, list);
      return true;
    },
    async query(account, query) {
      assertOpen();
      const list = archiveOf(account);
      const after = positions(list, query.after ?? []);
      const before = positions(list, query.before ?? []);
      if (!after || !before || (query.ids && !positions(list, query.ids))) return undefined;
      const low = Math.max(-1, ...after);
      const high = Math.min(list.length, ...before);
      const ids = query.ids ? new Set(query.ids) : undefined;
      const hits = list.slice(low + 1, Math.max(low + 1, high)).filter((m) => matches(m, query, ids));
      const page = query.fromEnd ? hits.slice(Math.max(0, hits.length - query.max)) : hits.slice(0, query.max);
      return { messages: page.map((m) => ({ ...m })), complete: hits.length <= query.max };
    },
    async findByMessageId(account, withBare, direction, messageId) {
      assertOpen();
      const found = archiveOf(account).findLast(
        (m) => m.messageId === messageId && m.direction === direction && bareOf(m.with) === withBare,
      );
      return found && { ...found };
    },
    async replaceStanza(account, id, stanza) {
      assertOpen();
      const found = archiveOf(account).find((m) => m.id === id);
      if (found) found.stanza = stanza;
      return found !== undefined;
    },
    async bounds(account) {
      assertOpen();
      const list = archiveOf(account);
      const first = list[0];
      const last = list[list.length - 1];
      return first && last
        ? { first: { id: first.id, timestamp: first.timestamp }, last: { id: last.id, timestamp: last.timestamp } }
        : {};
    },
    async count(account) {
      assertOpen();
      return archiveOf(account).length;
    },
    async expire(account, before) {
      assertOpen();
      const list = archiveOf(account);
      const kept = list.filter((m) => m.timestamp >= before);
      archives.set(account, kept);
      return list.length - kept.length;
    },
    async deleteAccount(account) {
      assertOpen();
      const held = archiveOf(account).length;
      archives.delete(account);
      return held;
    },
  };
}
