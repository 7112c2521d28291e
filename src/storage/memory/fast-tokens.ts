// XEP-0484 FAST token slots in memory (tests and quick runs).
import type { FastToken, FastTokenRepository } from '../types.js';

const copy = (t: FastToken): FastToken => ({ ...t, seed: Buffer.from(t.seed) });

export function createMemoryFastTokenRepository(assertOpen: () => void): FastTokenRepository {
  // account -> client -> slot -> token
  const accounts = new Map<string, Map<string, Map<FastToken['slot'], FastToken>>>();
  const slotsOf = (account: string, client: string): Map<FastToken['slot'], FastToken> | undefined => accounts.get(account)?.get(client);
  const byClientThenSlot = (a: FastToken, b: FastToken): number => (a.client < b.client ? -1 : a.client > b.client ? 1 : a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0);

  return {
    async issue(t) {
      assertOpen();
      let clients = accounts.get(t.account);
      if (!clients) accounts.set(t.account, (clients = new Map()));
      let slots = clients.get(t.client);
      if (!slots) clients.set(t.client, (slots = new Map()));
      slots.set('new', copy({ ...t, slot: 'new' }));
    },
    async get(account, client) {
      assertOpen();
      return [...(slotsOf(account, client)?.values() ?? [])].sort(byClientThenSlot).map(copy);
    },
    async promote(account, client, seed) {
      assertOpen();
      const slots = slotsOf(account, client);
      const fresh = slots?.get('new');
      if (!slots || !fresh || !fresh.seed.equals(seed)) return false;
      slots.delete('new');
      slots.set('current', { ...fresh, slot: 'current' });
      return true;
    },
    async revoke(account, client) {
      assertOpen();
      const clients = accounts.get(account);
      if (!clients) return 0;
      if (client === undefined) {
        accounts.delete(account);
        return [...clients.values()].reduce((n, slots) => n + slots.size, 0);
      }
      const removed = clients.get(client)?.size ?? 0;
      clients.delete(client);
      if (clients.size === 0) accounts.delete(account);
      return removed;
    },
    async list(account) {
      assertOpen();
      const clients = accounts.get(account);
      return clients ? [...clients.values()].flatMap((slots) => [...slots.values()]).sort(byClientThenSlot).map(copy) : [];
    },
  };
}
