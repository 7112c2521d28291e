// Remote entity caps shared between nodes (issue 17): two nodes' stores on one storage, with
// node notices carried between them as the bus would, must agree on which verified 'ver' each
// remote resource announced, whichever node learnt or forgot it.
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/core/modules/module.js';
import { createMemoryKeyValueRepository } from '../../../src/storage/memory/kv.js';
import type { KeyValueRepository } from '../../../src/storage/types.js';
import { createRemoteCapsStore, MAX_RESOURCES_PER_CONTACT, REMOTE_CAPS_CHANGED, type RemoteCapsStore } from '../../../src/modules/caps/remote-store.js';

/** Two nodes on one key-value store; each node's notices reach the other. */
function twoNodes(kv: KeyValueRepository = createMemoryKeyValueRepository(() => undefined)) {
  const stores: RemoteCapsStore[] = [];
  const notices: string[] = [];
  const node = (index: number): RemoteCapsStore => {
    const ctx = {
      storage: { kv },
      delivery: {
        notifyNodes: async (topic: string, key: string) => {
          notices.push(`${topic} ${key}`);
          if (topic === REMOTE_CAPS_CHANGED) stores[1 - index]!.changedElsewhere(key);
        },
      },
    } as unknown as ModuleContext;
    return createRemoteCapsStore(ctx);
  };
  stores.push(node(0), node(1));
  return { a: stores[0]!, b: stores[1]!, notices };
}

describe('remote entity caps shared between nodes', () => {
  it('XEP-0115 §6.2 / XEP-0163 §4.3.1: a ver verified through node 1 is known on node 2, and an unavailable presence on node 2 is known on node 1', async () => {
    const { a, b, notices } = twoNodes();
    expect(await b.of('juliet@example.org', 'romeo@remote.example')).toEqual({});
    await a.change('juliet@example.org', 'romeo@remote.example', 'orchard', 'QgayPKawpkPSDYmwT/WM94uAlu0=');
    // Node 2 had cached "nothing": the notice dropped that copy.
    expect(await b.of('juliet@example.org', 'romeo@remote.example')).toEqual({ orchard: 'QgayPKawpkPSDYmwT/WM94uAlu0=' });
    await b.change('juliet@example.org', 'romeo@remote.example', 'orchard', undefined);
    expect(await a.of('juliet@example.org', 'romeo@remote.example')).toEqual({});
    expect(notices).toEqual([`${REMOTE_CAPS_CHANGED} juliet@example.org\0romeo@remote.example`, `${REMOTE_CAPS_CHANGED} juliet@example.org\0romeo@remote.example`]);
    // Nothing changed, nothing announced.
    await b.change('juliet@example.org', 'romeo@remote.example', 'orchard', undefined);
    expect(notices).toHaveLength(2);
  });

  it('a change that changes nothing (unavailable of a resource never recorded, a ver already known) costs no storage read once cached', async () => {
    const kv = createMemoryKeyValueRepository(() => undefined);
    let reads = 0;
    const counting: KeyValueRepository = { ...kv, get: (scope, key) => (reads++, kv.get(scope, key)) };
    const { a } = twoNodes(counting);
    await a.change('juliet@example.org', 'romeo@remote.example', 'orchard', 'ver-1');
    await a.of('juliet@example.org', 'romeo@remote.example');
    const before = reads;
    for (let i = 0; i < 5; i++) {
      await a.change('juliet@example.org', 'romeo@remote.example', 'balcony', undefined);
      await a.change('juliet@example.org', 'romeo@remote.example', 'orchard', 'ver-1');
    }
    expect(reads).toBe(before);
    expect(await a.of('juliet@example.org', 'romeo@remote.example')).toEqual({ orchard: 'ver-1' });
  });

  it('two nodes recording resources of one contact at once lose neither (compare-and-set)', async () => {
    const { a, b } = twoNodes();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).change('juliet@example.org', 'romeo@remote.example', `r${i}`, `ver${i}`)),
    );
    const seen = await a.of('juliet@example.org', 'romeo@remote.example');
    expect(Object.keys(seen).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `r${i}`));
    // A bare unavailable forgets them all, everywhere.
    await b.change('juliet@example.org', 'romeo@remote.example', undefined, undefined);
    expect(await a.of('juliet@example.org', 'romeo@remote.example')).toEqual({});
  });

  it('a remote server cannot make us store more than MAX_RESOURCES_PER_CONTACT resources per contact', async () => {
    const { a } = twoNodes();
    for (let i = 0; i < MAX_RESOURCES_PER_CONTACT + 5; i++) await a.change('juliet@example.org', 'romeo@remote.example', `r${i}`, 'v');
    expect(Object.keys(await a.of('juliet@example.org', 'romeo@remote.example'))).toHaveLength(MAX_RESOURCES_PER_CONTACT);
  });

  it('a notice with no key (notices may have been missed) drops every cached entry', async () => {
    const kv = createMemoryKeyValueRepository(() => undefined);
    const { a, b } = twoNodes(kv);
    expect(await b.of('juliet@example.org', 'romeo@remote.example')).toEqual({});
    // Written behind node 2's back, as if its notice had been lost.
    await a.change('juliet@example.org', 'romeo@remote.example', 'orchard', 'v1');
    await kv.set('juliet@example.org', 'caps-remote:romeo@remote.example', JSON.stringify({ orchard: 'v2' }));
    b.changedElsewhere(undefined);
    expect(await b.of('juliet@example.org', 'romeo@remote.example')).toEqual({ orchard: 'v2' });
  });
});
