// The single-node session registry: look-ups by full and bare JID, replacement by id, and records
// that callers cannot change behind the registry's back (they are shared, not copied).
import { describe, expect, it } from 'vitest';
import { createLocalSessionRegistry } from '../../../src/core/sessions/local-session-registry.js';
import type { SessionRef } from '../../../src/core/sessions/session-ref.js';

const ref = (jid: string, id: string, flags: Record<string, string> = {}): SessionRef => ({
  id, nodeId: 'n1', jid, available: false, priority: 0, interested: false, flags,
});

describe('local session registry', () => {
  it('finds sessions by full and bare JID, and replaces one bound at the same full JID', async () => {
    const registry = createLocalSessionRegistry();
    expect(await registry.add(ref('a@x/1', 's1'))).toBeUndefined();
    await registry.add(ref('a@x/2', 's2'));
    expect((await registry.byFullJid('a@x/1'))?.id).toBe('s1');
    expect((await registry.byBareJid('a@x')).map((r) => r.id).sort()).toEqual(['s1', 's2']);
    expect((await registry.add(ref('a@x/1', 's3')))?.id).toBe('s1');
    expect(await registry.remove(ref('a@x/1', 's1'))).toBe(false); // not the current record
    expect(await registry.remove(ref('a@x/1', 's3'))).toBe(true);
    expect((await registry.byBareJid('a@x')).map((r) => r.id)).toEqual(['s2']);
    expect(await registry.count()).toBe(1);
  });

  it('hands out read-only records: changes go through update(), and the caller’s object is not kept', async () => {
    const registry = createLocalSessionRegistry();
    const mine = ref('a@x/1', 's1', { carbons: '1' });
    await registry.add(mine);
    mine.flags.carbons = '0';
    mine.available = true;
    const stored = (await registry.byFullJid('a@x/1'))!;
    expect(stored.flags.carbons).toBe('1');
    expect(stored.available).toBe(false);
    expect(() => {
      (stored as SessionRef).available = true;
    }).toThrow(TypeError);
    expect(() => {
      (stored as SessionRef).flags.carbons = '0';
    }).toThrow(TypeError);
    await registry.update({ ...mine, available: true });
    expect((await registry.byBareJid('a@x'))[0]!.available).toBe(true);
    expect((await registry.byFullJid('a@x/1'))!.flags.carbons).toBe('0');
  });

  it("hands out an account's list without copying it: frozen, and replaced only when one of its sessions changes", async () => {
    const registry = createLocalSessionRegistry();
    await registry.add(ref('a@x/1', 's1'));
    const first = await registry.byBareJid('a@x');
    expect(await registry.byBareJid('a@x')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);

    await registry.add(ref('a@x/2', 's2'));
    const second = await registry.byBareJid('a@x');
    expect(second).not.toBe(first);
    expect(first.map((r) => r.id)).toEqual(['s1']); // a list already handed out does not change
    expect(second.map((r) => r.id)).toEqual(['s1', 's2']);

    await registry.update({ ...ref('a@x/2', 's2'), available: true });
    const updated = await registry.byBareJid('a@x');
    expect(updated.map((r) => r.available)).toEqual([false, true]);
    await registry.update(ref('a@x/2', 'other')); // not the current record: nothing changes
    expect(await registry.byBareJid('a@x')).toBe(updated);

    await registry.remove(ref('a@x/1', 's1'));
    expect((await registry.byBareJid('a@x')).map((r) => r.id)).toEqual(['s2']);
    await registry.remove(ref('a@x/2', 's2'));
    expect(await registry.byBareJid('a@x')).toEqual([]);
  });

  it('answers peekBareJid at once with what byBareJid resolves to, the same list, before and after changes', async () => {
    const registry = createLocalSessionRegistry();
    expect(registry.peekBareJid?.('a@x')).toEqual([]);
    await registry.add(ref('a@x/1', 's1'));
    expect(registry.peekBareJid?.('a@x')).toBe(await registry.byBareJid('a@x'));
    await registry.update({ ...ref('a@x/1', 's1'), available: true });
    expect(registry.peekBareJid?.('a@x')?.map((r) => r.available)).toEqual([true]);
    await registry.remove(ref('a@x/1', 's1'));
    expect(registry.peekBareJid?.('a@x')).toEqual([]);
  });
});
