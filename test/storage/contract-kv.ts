// Contract for KeyValueRepository. Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/types.js';

export function runKvContract(current: () => Storage): void {
  describe('kv', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('returns undefined for a missing key', async () => {
      expect(await storage.kv.get('scope', 'missing')).toBeUndefined();
    });

    it('sets, overwrites and gets', async () => {
      await storage.kv.set('alice@example.org', 'roster-ver', '1');
      expect(await storage.kv.get('alice@example.org', 'roster-ver')).toBe('1');
      await storage.kv.set('alice@example.org', 'roster-ver', '2');
      expect(await storage.kv.get('alice@example.org', 'roster-ver')).toBe('2');
    });

    it('keeps an empty string distinct from a missing key, and text exact', async () => {
      await storage.kv.set('s', 'empty', '');
      expect(await storage.kv.get('s', 'empty')).toBe('');
      const text = 'line1\nline2\t\u{1F600} <x a="1"/>';
      await storage.kv.set('s', 'text', text);
      expect(await storage.kv.get('s', 'text')).toBe(text);
    });

    it('keeps scopes and keys apart', async () => {
      await storage.kv.set('a', 'k', 'in a');
      await storage.kv.set('b', 'k', 'in b');
      await storage.kv.set('a', 'other', 'other');
      expect(await storage.kv.get('a', 'k')).toBe('in a');
      expect(await storage.kv.get('b', 'k')).toBe('in b');
      expect(await storage.kv.get('b', 'other')).toBeUndefined();
    });

    it('deletes once; a second delete returns false', async () => {
      await storage.kv.set('a', 'k', 'v');
      await storage.kv.set('b', 'k', 'v');
      expect(await storage.kv.delete('a', 'k')).toBe(true);
      expect(await storage.kv.get('a', 'k')).toBeUndefined();
      expect(await storage.kv.delete('a', 'k')).toBe(false);
      expect(await storage.kv.delete('a', 'never')).toBe(false);
      expect(await storage.kv.get('b', 'k')).toBe('v');
    });
  });
}
