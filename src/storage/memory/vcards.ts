// vCard-temp in process memory: account -> XML.
import type { VCardRepository } from '../types.js';

export function createMemoryVCardRepository(assertOpen: () => void): VCardRepository {
  const vcards = new Map<string, string>();
  return {
    async get(account) {
      assertOpen();
      return vcards.get(account);
    },
    async put(account, vcard) {
      assertOpen();
      vcards.set(account, vcard);
    },
    async deleteAccount(account) {
      assertOpen();
      vcards.delete(account);
    },
  };
}
