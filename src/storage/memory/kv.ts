// In-memory key/value store. Values are strings, so returning them is already a copy.
import type { KeyValueRepository } from '../types.js';

export function createMemoryKeyValueRepository(assertOpen: () => void): KeyValueRepository {
  // scope -> key -> value
  const scopes = new Map<string, Map<string, string>>();

  return {
    async get(scope, key) {
      assertOpen();
      return scopes.get(scope)?.get(key);
    },

    async set(scope, key, value) {
      assertOpen();
      let entries = scopes.get(scope);
      if (!entries) {
        entries = new Map();
        scopes.set(scope, entries);
      }
      entries.set(key, value);
    },

    async compareAndSet(scope, key, expected, value) {
      assertOpen();
      // No await between the read and the write: nothing else runs in between.
      if (scopes.get(scope)?.get(key) !== expected) return false;
      let entries = scopes.get(scope);
      if (!entries) scopes.set(scope, (entries = new Map()));
      entries.set(key, value);
      return true;
    },

    async delete(scope, key) {
      assertOpen();
      const entries = scopes.get(scope);
      if (!entries?.delete(key)) return false;
      if (entries.size === 0) scopes.delete(scope);
      return true;
    },
  };
}
