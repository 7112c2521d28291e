// Contract for VCardRepository (XEP-0054). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/types.js';

export function runVCardContract(current: () => Storage): void {
  describe('vcards', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('stores, replaces and deletes one vCard per account', async () => {
      expect(await storage.vcards.get('alice@example.org')).toBeUndefined();
      await storage.vcards.put('alice@example.org', "<vCard xmlns='vcard-temp'><FN>A</FN></vCard>");
      await storage.vcards.put('alice@example.org', "<vCard xmlns='vcard-temp'><FN>\u00c9</FN></vCard>");
      await storage.vcards.put('bob@example.org', "<vCard xmlns='vcard-temp'/>");
      expect(await storage.vcards.get('alice@example.org')).toBe("<vCard xmlns='vcard-temp'><FN>\u00c9</FN></vCard>");
      await storage.vcards.deleteAccount('alice@example.org');
      expect(await storage.vcards.get('alice@example.org')).toBeUndefined();
      expect(await storage.vcards.get('bob@example.org')).toBe("<vCard xmlns='vcard-temp'/>");
    });
  });
}
