// Offline message queues in process memory, with the SQLite backend's semantics.
import type { OfflineMessage, OfflineRepository } from '../types.js';

export function createMemoryOfflineRepository(assertOpen: () => void): OfflineRepository {
  const queues = new Map<string, OfflineMessage[]>();
  return {
    async store(account, message, limit) {
      assertOpen();
      const queue = queues.get(account) ?? [];
      if (queue.some((m) => m.stanzaId === message.stanzaId)) return 'duplicate';
      if (queue.length >= limit) return 'full';
      queue.push({ ...message });
      queues.set(account, queue);
      return 'stored';
    },
    async list(account, limit) {
      assertOpen();
      const queue = queues.get(account) ?? [];
      return queue.slice(0, limit ?? queue.length).map((m) => ({ ...m }));
    },
    async delete(account, stanzaIds) {
      assertOpen();
      const queue = queues.get(account);
      if (!queue) return 0;
      const doomed = new Set(stanzaIds);
      const kept = queue.filter((m) => !doomed.has(m.stanzaId));
      queues.set(account, kept);
      return queue.length - kept.length;
    },
    async count(account) {
      assertOpen();
      return queues.get(account)?.length ?? 0;
    },
    async deleteAccount(account) {
      assertOpen();
      queues.delete(account);
    },
    async queues(largest) {
      assertOpen();
      const held = [...queues].filter(([, q]) => q.length > 0).map(([account, q]) => ({ account, count: q.length }));
      held.sort((a, b) => b.count - a.count || (a.account < b.account ? -1 : 1));
      return { accounts: held.length, messages: held.reduce((sum, q) => sum + q.count, 0), largest: held.slice(0, largest) };
    },
  };
}
