// XEP-0049 private XML storage in process memory: account -> "namespace name" -> XML.
import type { PrivateXmlRepository } from '../types.js';

const keyOf = (name: string, namespace: string): string => `${namespace} ${name}`;
const bytesOf = (xml: string): number => Buffer.byteLength(xml, 'utf8');

export function createMemoryPrivateXmlRepository(assertOpen: () => void): PrivateXmlRepository {
  const accounts = new Map<string, Map<string, string>>();
  const total = (entries: Map<string, string> | undefined): number => [...(entries?.values() ?? [])].reduce((sum, xml) => sum + bytesOf(xml), 0);

  return {
    async list(account) {
      assertOpen();
      // Keys are "namespace name"; neither a namespace URI nor an element name holds a space.
      return [...(accounts.get(account) ?? new Map<string, string>())]
        .map(([key, xml]) => ({ namespace: key.slice(0, key.indexOf(' ')), name: key.slice(key.indexOf(' ') + 1), xml }))
        .sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1));
    },
    async get(account, name, namespace) {
      assertOpen();
      return accounts.get(account)?.get(keyOf(name, namespace));
    },
    async put(account, entries, maxAccountBytes) {
      assertOpen();
      const stored = accounts.get(account) ?? new Map<string, string>();
      const next = new Map(stored);
      for (const entry of entries) next.set(keyOf(entry.name, entry.namespace), entry.xml);
      if (total(next) > maxAccountBytes) return 'full';
      accounts.set(account, next);
      return 'stored';
    },
    async accountBytes(account) {
      assertOpen();
      return total(accounts.get(account));
    },
    async deleteAccount(account) {
      assertOpen();
      accounts.delete(account);
    },
  };
}
