// Invitations in memory (tests and quick runs).
import type { Invite, InviteRepository } from '../types.js';

export function createMemoryInviteRepository(assertOpen: () => void): InviteRepository {
  // tokenHash -> invite, in insertion (creation) order.
  const invites = new Map<string, Invite>();
  const copy = (i: Invite): Invite => ({ ...i });

  return {
    async create(invite) {
      assertOpen();
      if ([...invites.values()].some((i) => i.id === invite.id) || invites.has(invite.tokenHash)) throw new Error(`invite ${invite.id} already exists`);
      invites.set(invite.tokenHash, copy(invite));
    },
    async byTokenHash(tokenHash) {
      assertOpen();
      const found = invites.get(tokenHash);
      return found && copy(found);
    },
    async redeem(tokenHash, usedBy, at) {
      assertOpen();
      const found = invites.get(tokenHash);
      if (!found || found.usedAt !== undefined) return false;
      found.usedAt = at;
      found.usedBy = usedBy;
      return true;
    },
    async release(tokenHash, usedBy) {
      assertOpen();
      const found = invites.get(tokenHash);
      if (found?.usedBy !== usedBy) return;
      delete found.usedAt;
      delete found.usedBy;
    },
    async isReserved(domain, username, now) {
      assertOpen();
      return [...invites.values()].some((i) => i.domain === domain && i.username === username && i.usedAt === undefined && i.expiresAt > now);
    },
    async list(domain) {
      assertOpen();
      return [...invites.values()].filter((i) => domain === undefined || i.domain === domain).sort((a, b) => a.createdAt - b.createdAt).map(copy);
    },
    async delete(id) {
      assertOpen();
      for (const [hash, i] of invites) if (i.id === id) return invites.delete(hash);
      return false;
    },
    async expire(now, usedBefore) {
      assertOpen();
      let removed = 0;
      for (const [hash, i] of invites) {
        const gone = i.usedAt === undefined ? i.expiresAt <= now : i.usedAt < usedBefore;
        if (gone && invites.delete(hash)) removed += 1;
      }
      return removed;
    },
    async deleteAccount(account) {
      assertOpen();
      for (const [hash, i] of invites) if (i.contact === account) invites.delete(hash);
    },
  };
}
