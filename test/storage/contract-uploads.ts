// Contract for UploadRepository (XEP-0363 slots). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage, UploadSlot } from '../../src/storage/types.js';

function slot(id: string, owner: string, size: number, createdAt = 1_000): UploadSlot {
  return { id, owner, filename: `${id}.jpg`, size, contentType: 'image/jpeg', putToken: `token-${id}`, createdAt, putDeadline: createdAt + 300_000, expiresAt: createdAt + 86_400_000 };
}

export function runUploadContract(current: () => Storage): void {
  describe('uploads', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('reserves slots within the quota, counting pending and uploaded ones, per owner', async () => {
      expect(await storage.uploads.reserve(slot('a1', 'alice@example.org', 600), 1000, 1_000)).toBe(true);
      expect(await storage.uploads.reserve(slot('a2', 'alice@example.org', 500), 1000, 1_000)).toBe(false);
      expect(await storage.uploads.reserve(slot('a3', 'alice@example.org', 400), 1000, 1_000)).toBe(true);
      expect(await storage.uploads.reserve(slot('b1', 'bob@example.org', 1000), 1000, 1_000)).toBe(true);
      expect(await storage.uploads.get('a2')).toBeUndefined();
      expect(await storage.uploads.get('a1')).toEqual(slot('a1', 'alice@example.org', 600));
    });

    it('expired slots no longer count against the quota', async () => {
      await storage.uploads.reserve(slot('a1', 'alice@example.org', 1000), 1000, 1_000);
      const later = 1_000 + 86_400_000;
      expect(await storage.uploads.reserve(slot('a2', 'alice@example.org', 1000, later), 1000, later)).toBe(true);
    });

    it('marks a slot uploaded once, extending its life', async () => {
      await storage.uploads.reserve(slot('a1', 'alice@example.org', 10), 1000, 1_000);
      expect(await storage.uploads.markUploaded('a1', 2_000, 9_000_000)).toBe(true);
      expect(await storage.uploads.markUploaded('a1', 3_000, 9_999_999)).toBe(false);
      expect(await storage.uploads.markUploaded('missing', 3_000, 9_999_999)).toBe(false);
      expect(await storage.uploads.get('a1')).toMatchObject({ uploadedAt: 2_000, expiresAt: 9_000_000 });
    });

    it('lists expired slots oldest first, and forgets them', async () => {
      await storage.uploads.reserve({ ...slot('x', 'alice@example.org', 1), expiresAt: 5_000 }, 1000, 1_000);
      await storage.uploads.reserve({ ...slot('y', 'alice@example.org', 1), expiresAt: 4_000 }, 1000, 1_000);
      await storage.uploads.reserve({ ...slot('z', 'alice@example.org', 1), expiresAt: 9_000 }, 1000, 1_000);
      expect((await storage.uploads.expired(6_000, 10)).map((s) => s.id)).toEqual(['y', 'x']);
      expect((await storage.uploads.expired(6_000, 1)).map((s) => s.id)).toEqual(['y']);
      await storage.uploads.forget('y');
      expect((await storage.uploads.expired(6_000, 10)).map((s) => s.id)).toEqual(['x']);
    });

    it('expires every slot of a removed account at once', async () => {
      await storage.uploads.reserve(slot('a1', 'alice@example.org', 1), 1000, 1_000);
      await storage.uploads.reserve(slot('b1', 'bob@example.org', 1), 1000, 1_000);
      await storage.uploads.expireAccount('alice@example.org', 2_000);
      expect((await storage.uploads.expired(2_000, 10)).map((s) => s.id)).toEqual(['a1']);
    });
  });
}
