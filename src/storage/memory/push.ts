// XEP-0357 push registrations in process memory: account -> "service node" -> registration.
import type { PushRegistration, PushRepository } from '../types.js';

interface Entry extends PushRegistration {
  lastPushAt: number;
  pending: number;
}

const keyOf = (service: string, node: string): string => `${service} ${node}`;
const registrationOf = (entry: Entry): PushRegistration => ({ service: entry.service, node: entry.node, publishOptions: entry.publishOptions });

export function createMemoryPushRepository(assertOpen: () => void): PushRepository {
  const accounts = new Map<string, Map<string, Entry>>();
  const sorted = (account: string): Entry[] =>
    [...(accounts.get(account)?.values() ?? [])].sort((a, b) => (a.service === b.service ? (a.node < b.node ? -1 : 1) : a.service < b.service ? -1 : 1));

  return {
    async enable(account, registration, maxPerAccount) {
      assertOpen();
      const entries = accounts.get(account) ?? new Map<string, Entry>();
      const key = keyOf(registration.service, registration.node);
      const existing = entries.get(key);
      if (!existing && entries.size >= maxPerAccount) return 'full';
      entries.set(key, { ...registration, lastPushAt: existing?.lastPushAt ?? 0, pending: existing?.pending ?? 0 });
      accounts.set(account, entries);
      return 'stored';
    },
    async disable(account, service, node) {
      assertOpen();
      const entries = accounts.get(account);
      if (!entries) return 0;
      let removed = 0;
      for (const [key, entry] of entries) {
        if (entry.service === service && (node === undefined || entry.node === node)) {
          entries.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    async list(account) {
      assertOpen();
      return sorted(account).map(registrationOf);
    },
    async due(account, now, minIntervalMs) {
      assertOpen();
      const due = [];
      for (const entry of sorted(account)) {
        entry.pending += 1;
        if (entry.lastPushAt > now - minIntervalMs) continue;
        due.push({ ...registrationOf(entry), count: entry.pending });
        entry.pending = 0;
        entry.lastPushAt = now;
      }
      return due;
    },
    async deleteAccount(account) {
      assertOpen();
      accounts.delete(account);
    },
  };
}
