// Contract for HeldStanzaRepository (messages held for unreachable remote domains). Called from contract.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import type { HeldLimits, HeldStanza, Storage } from '../../src/storage/types.js';

const ROOMY: HeldLimits = { perAccount: 100, bytesPerAccount: 1_000_000, perPeer: 100 };

const entry = (n: number, extra: Partial<Omit<HeldStanza, 'seq'>> = {}): Omit<HeldStanza, 'seq'> => ({
  local: 'a.example',
  remote: 'b.example',
  sender: 'alice@a.example',
  stanza: `<message from="alice@a.example/r" to="bob@b.example" id="m${n}"><body>${n}</body></message>`,
  heldAt: 1_000 + n,
  ...extra,
});

export function runHeldContract(current: () => Storage): void {
  describe('held (s2s store-and-forward)', () => {
    let storage: Storage;
    beforeEach(() => {
      storage = current();
    });

    it('starts empty', async () => {
      expect(await storage.held.list('a.example', 'b.example', 10)).toEqual([]);
      expect(await storage.held.pairs()).toEqual([]);
    });

    it('keeps each pair in the order held, with increasing seq, and the stanza text exact', async () => {
      const odd = '<message><body>line1\nline2 \u{1F600} &amp; &lt;x/&gt;</body></message>';
      expect(await storage.held.hold(entry(1, { heldAt: 9 }), ROOMY)).toBe('held');
      expect(await storage.held.hold(entry(2, { remote: 'c.example' }), ROOMY)).toBe('held');
      expect(await storage.held.hold(entry(3, { stanza: odd, heldAt: 1 }), ROOMY)).toBe('held');
      const queue = await storage.held.list('a.example', 'b.example', 10);
      expect(queue.map((h) => h.heldAt)).toEqual([9, 1]);
      expect(queue[1]).toMatchObject({ local: 'a.example', remote: 'b.example', sender: 'alice@a.example', stanza: odd });
      expect(queue[0]!.seq).toBeLessThan(queue[1]!.seq);
      expect(await storage.held.list('a.example', 'b.example', 1)).toEqual([queue[0]]);
      expect(await storage.held.pairs()).toEqual([
        { local: 'a.example', remote: 'b.example' },
        { local: 'a.example', remote: 'c.example' },
      ]);
    });

    it('deletes by seq and never hands a seq out twice', async () => {
      await storage.held.hold(entry(1), ROOMY);
      await storage.held.hold(entry(2), ROOMY);
      const [first, second] = await storage.held.list('a.example', 'b.example', 10);
      expect(await storage.held.delete([second!.seq, 999_999])).toBe(1);
      await storage.held.hold(entry(3), ROOMY);
      const after = await storage.held.list('a.example', 'b.example', 10);
      expect(after.map((h) => h.stanza)).toEqual([entry(1).stanza, entry(3).stanza]);
      expect(after[1]!.seq).toBeGreaterThan(second!.seq);
      expect(await storage.held.delete([first!.seq, after[1]!.seq])).toBe(2);
      expect(await storage.held.pairs()).toEqual([]);
      expect(await storage.held.delete([])).toBe(0);
    });

    it("is 'account-full' at perAccount messages or when the bytes would pass bytesPerAccount, across peers", async () => {
      const limits = { ...ROOMY, perAccount: 2 };
      expect(await storage.held.hold(entry(1), limits)).toBe('held');
      expect(await storage.held.hold(entry(2, { remote: 'c.example' }), limits)).toBe('held');
      expect(await storage.held.hold(entry(3, { remote: 'd.example' }), limits)).toBe('account-full');
      expect(await storage.held.hold(entry(3, { sender: 'anna@a.example' }), limits)).toBe('held');

      const size = Buffer.byteLength(entry(1).stanza, 'utf8');
      const byBytes = { ...ROOMY, bytesPerAccount: 2 * size + 5 };
      expect(await storage.held.hold(entry(4, { sender: 'carl@a.example' }), byBytes)).toBe('held');
      expect(await storage.held.hold(entry(5, { sender: 'carl@a.example' }), byBytes)).toBe('held');
      expect(await storage.held.hold(entry(6, { sender: 'carl@a.example' }), byBytes)).toBe('account-full');
      // Bytes are UTF-8 bytes, not characters: 24 bytes in 12 UTF-16 units.
      const wide = { ...ROOMY, bytesPerAccount: 20 };
      expect(await storage.held.hold(entry(7, { sender: 'dora@a.example', stanza: '\u{1F600}'.repeat(6) }), wide)).toBe('account-full');
    });

    it("is 'peer-full' at perPeer messages for the pair, all senders together", async () => {
      const limits = { ...ROOMY, perPeer: 2 };
      expect(await storage.held.hold(entry(1), limits)).toBe('held');
      expect(await storage.held.hold(entry(2, { sender: 'anna@a.example' }), limits)).toBe('held');
      expect(await storage.held.hold(entry(3, { sender: 'carl@a.example' }), limits)).toBe('peer-full');
      expect(await storage.held.hold(entry(3, { remote: 'c.example' }), limits)).toBe('held');
    });
  });
}
