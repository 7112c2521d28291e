// XEP-0363 upload slots in process memory.
import type { UploadRepository, UploadSlot } from '../types.js';

export function createMemoryUploadRepository(assertOpen: () => void): UploadRepository {
  const slots = new Map<string, UploadSlot>();
  return {
    async reserve(slot, quotaBytes, now) {
      assertOpen();
      let used = 0;
      for (const s of slots.values()) if (s.owner === slot.owner && s.expiresAt > now) used += s.size;
      if (used + slot.size > quotaBytes || slots.has(slot.id)) return false;
      slots.set(slot.id, { ...slot });
      return true;
    },
    async get(id) {
      assertOpen();
      const slot = slots.get(id);
      return slot && { ...slot };
    },
    async markUploaded(id, at, expiresAt) {
      assertOpen();
      const slot = slots.get(id);
      if (!slot || slot.uploadedAt !== undefined) return false;
      slots.set(id, { ...slot, uploadedAt: at, expiresAt });
      return true;
    },
    async expired(now, limit) {
      assertOpen();
      return [...slots.values()].filter((s) => s.expiresAt <= now).sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit).map((s) => ({ ...s }));
    },
    async forget(id) {
      assertOpen();
      slots.delete(id);
    },
    async expireAccount(owner, now) {
      assertOpen();
      for (const [id, s] of slots) if (s.owner === owner && s.expiresAt > now) slots.set(id, { ...s, expiresAt: now });
    },
  };
}
