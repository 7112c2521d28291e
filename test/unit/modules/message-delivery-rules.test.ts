// RFC 6121 §8.5.2.1: which resources of an account get a message sent to its bare JID.
import { describe, expect, it } from 'vitest';
import { allNonNegative, highestPriority } from '../../../src/modules/message/delivery-rules.js';
import type { SessionRef } from '../../../src/core/sessions/session-ref.js';

const ref = (id: string, priority: number, available = true): SessionRef => ({
  id, nodeId: 'n1', jid: `a@x/${id}`, available, priority, interested: false, flags: {},
});
const ids = (refs: readonly SessionRef[]) => refs.map((r) => r.id);

describe('RFC 6121 §8.5.2.1 delivery rules', () => {
  it('chat/normal: every available resource sharing the highest priority, in registry order', () => {
    expect(ids(highestPriority([ref('a', 1), ref('b', 5), ref('c', 5), ref('d', 0)]))).toEqual(['b', 'c']);
    expect(ids(highestPriority([ref('a', 5), ref('b', 1), ref('c', 5)]))).toEqual(['a', 'c']);
    expect(ids(highestPriority([ref('a', 0), ref('b', 0)]))).toEqual(['a', 'b']);
  });

  it('chat/normal: negative priorities and unavailable resources never count, even when highest', () => {
    expect(ids(highestPriority([ref('a', -1), ref('b', 7, false), ref('c', 2)]))).toEqual(['c']);
    expect(highestPriority([ref('a', -1), ref('b', 3, false)])).toEqual([]);
    expect(highestPriority([])).toEqual([]);
  });

  it('headline: every available resource with non-negative priority', () => {
    expect(ids(allNonNegative([ref('a', -1), ref('b', 0), ref('c', 9), ref('d', 9, false)]))).toEqual(['b', 'c']);
  });
});
