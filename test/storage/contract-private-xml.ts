// Contract for PrivateXmlRepository (XEP-0049). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PrivateXmlEntry, Storage } from '../../src/storage/types.js';

const ALICE = 'alice@example.org';
const entry = (name: string, namespace: string, text: string): PrivateXmlEntry => ({ name, namespace, xml: `<${name} xmlns='${namespace}'>${text}</${name}>` });

export function runPrivateXmlContract(current: () => Storage): void {
  describe('privateXml', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('keys by element name and namespace, per account', async () => {
      expect(await storage.privateXml.put(ALICE, [entry('prefs', 'urn:a', 'one'), entry('other', 'urn:a', 'two'), entry('prefs', 'urn:b', 'three')], 1000)).toBe('stored');
      expect(await storage.privateXml.get(ALICE, 'prefs', 'urn:a')).toBe("<prefs xmlns='urn:a'>one</prefs>");
      expect(await storage.privateXml.get(ALICE, 'other', 'urn:a')).toBe("<other xmlns='urn:a'>two</other>");
      expect(await storage.privateXml.get(ALICE, 'prefs', 'urn:b')).toBe("<prefs xmlns='urn:b'>three</prefs>");
      expect(await storage.privateXml.get('bob@example.org', 'prefs', 'urn:a')).toBeUndefined();
    });

    it('lists every element of one account by namespace then name', async () => {
      await storage.privateXml.put(ALICE, [entry('zeta', 'urn:b', '1'), entry('beta', 'urn:a', '2'), entry('alpha', 'urn:b', '3')], 1000);
      await storage.privateXml.put('bob@example.org', [entry('other', 'urn:a', '4')], 1000);
      expect(await storage.privateXml.list(ALICE)).toEqual([entry('beta', 'urn:a', '2'), entry('alpha', 'urn:b', '3'), entry('zeta', 'urn:b', '1')]);
      expect(await storage.privateXml.list('nobody@example.org')).toEqual([]);
    });

    it('replaces an element, counting UTF-8 bytes of what stays', async () => {
      await storage.privateXml.put(ALICE, [entry('p', 'urn:a', 'x'.repeat(50))], 1000);
      await storage.privateXml.put(ALICE, [entry('p', 'urn:a', '\u00e9')], 1000);
      expect(await storage.privateXml.get(ALICE, 'p', 'urn:a')).toBe("<p xmlns='urn:a'>\u00e9</p>");
      expect(await storage.privateXml.accountBytes(ALICE)).toBe(Buffer.byteLength("<p xmlns='urn:a'>\u00e9</p>"));
    });

    it('stores all entries or none when the account would exceed its bytes', async () => {
      const small = entry('p', 'urn:a', 'x');
      const bytes = Buffer.byteLength(small.xml);
      expect(await storage.privateXml.put(ALICE, [small], bytes)).toBe('stored');
      // Replacing with the same size fits exactly; adding a second element does not.
      expect(await storage.privateXml.put(ALICE, [entry('p', 'urn:a', 'y')], bytes)).toBe('stored');
      expect(await storage.privateXml.put(ALICE, [entry('p', 'urn:a', 'z'), entry('q', 'urn:a', 'z')], bytes)).toBe('full');
      expect(await storage.privateXml.get(ALICE, 'p', 'urn:a')).toBe("<p xmlns='urn:a'>y</p>");
      expect(await storage.privateXml.get(ALICE, 'q', 'urn:a')).toBeUndefined();
    });

    it('the last of several entries with one key is what stays', async () => {
      await storage.privateXml.put(ALICE, [entry('p', 'urn:a', 'first'), entry('p', 'urn:a', 'last')], 1000);
      expect(await storage.privateXml.get(ALICE, 'p', 'urn:a')).toBe("<p xmlns='urn:a'>last</p>");
      expect(await storage.privateXml.accountBytes(ALICE)).toBe(Buffer.byteLength("<p xmlns='urn:a'>last</p>"));
    });

    it('deleteAccount removes only that account', async () => {
      await storage.privateXml.put(ALICE, [entry('p', 'urn:a', '1')], 1000);
      await storage.privateXml.put('bob@example.org', [entry('p', 'urn:a', '2')], 1000);
      await storage.privateXml.deleteAccount(ALICE);
      expect(await storage.privateXml.get(ALICE, 'p', 'urn:a')).toBeUndefined();
      expect(await storage.privateXml.accountBytes(ALICE)).toBe(0);
      expect(await storage.privateXml.get('bob@example.org', 'p', 'urn:a')).toBe("<p xmlns='urn:a'>2</p>");
    });
  });
}
