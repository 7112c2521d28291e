// Contract for PushRepository (XEP-0357 registrations and their rate limit). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const OPTIONS = "<x xmlns='jabber:x:data' type='submit'><field var='secret'><value>s</value></field></x>";

export function runPushContract(current: () => Storage): void {
  describe('push registrations', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('enables, replaces by (service, node), lists and disables by service or by node', async () => {
      expect(await storage.push.enable(ALICE, { service: 'push.example', node: 'n1', publishOptions: undefined }, 5)).toBe('stored');
      expect(await storage.push.enable(ALICE, { service: 'push.example', node: 'n1', publishOptions: OPTIONS }, 5)).toBe('stored');
      await storage.push.enable(ALICE, { service: 'push.example', node: 'n2', publishOptions: undefined }, 5);
      await storage.push.enable(ALICE, { service: 'other.example', node: 'n1', publishOptions: undefined }, 5);
      await storage.push.enable('bob@example.org', { service: 'push.example', node: 'n1', publishOptions: undefined }, 5);
      expect(await storage.push.list(ALICE)).toEqual([
        { service: 'other.example', node: 'n1', publishOptions: undefined },
        { service: 'push.example', node: 'n1', publishOptions: OPTIONS },
        { service: 'push.example', node: 'n2', publishOptions: undefined },
      ]);
      expect(await storage.push.disable(ALICE, 'push.example', 'n2')).toBe(1);
      expect(await storage.push.disable(ALICE, 'push.example')).toBe(1);
      expect(await storage.push.disable(ALICE, 'push.example')).toBe(0);
      expect((await storage.push.list(ALICE)).map((r) => r.service)).toEqual(['other.example']);
      await storage.push.deleteAccount(ALICE);
      expect(await storage.push.list(ALICE)).toEqual([]);
      expect(await storage.push.list('bob@example.org')).toHaveLength(1);
    });

    it('refuses a registration beyond maxPerAccount, but not the replacement of one', async () => {
      await storage.push.enable(ALICE, { service: 'push.example', node: 'n1', publishOptions: undefined }, 2);
      await storage.push.enable(ALICE, { service: 'push.example', node: 'n2', publishOptions: undefined }, 2);
      expect(await storage.push.enable(ALICE, { service: 'push.example', node: 'n3', publishOptions: undefined }, 2)).toBe('full');
      expect(await storage.push.enable(ALICE, { service: 'push.example', node: 'n2', publishOptions: OPTIONS }, 2)).toBe('stored');
      expect(await storage.push.list(ALICE)).toHaveLength(2);
    });

    it('is due at most once per interval, and the next notification counts the messages held back', async () => {
      await storage.push.enable(ALICE, { service: 'push.example', node: 'n1', publishOptions: OPTIONS }, 5);
      const first = await storage.push.due(ALICE, 10_000, 5_000);
      expect(first).toEqual([{ service: 'push.example', node: 'n1', publishOptions: OPTIONS, count: 1 }]);
      expect(await storage.push.due(ALICE, 11_000, 5_000)).toEqual([]);
      expect(await storage.push.due(ALICE, 14_999, 5_000)).toEqual([]);
      expect(await storage.push.due(ALICE, 15_000, 5_000)).toEqual([{ service: 'push.example', node: 'n1', publishOptions: OPTIONS, count: 3 }]);
      expect(await storage.push.due('nobody@example.org', 20_000, 5_000)).toEqual([]);
    });
  });
}
