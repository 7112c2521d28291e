import { describe, expect, it } from 'vitest';
import { closeEntry, nodeEntry, readBusEntry, stanzaEntry } from '../../src/cluster/redis/bus-entry.js';

describe('inbox entries', () => {
  it('are one field each and read back whole', () => {
    const xml = "<message to='b@x' id='1'><body>a b  c</body></message>";
    expect(stanzaEntry('s1-Ab_9', xml)).toHaveLength(2);
    expect(readBusEntry(stanzaEntry('s1-Ab_9', xml))).toEqual({ kind: 's', sessionId: 's1-Ab_9', payload: xml });
    expect(readBusEntry(closeEntry('s2', 'conflict'))).toEqual({ kind: 'c', sessionId: 's2', payload: 'conflict' });
    expect(readBusEntry(nodeEntry(xml))).toEqual({ kind: 'n', payload: xml });
  });

  it('are still read in the six-field form an older version wrote', () => {
    expect(readBusEntry(['k', 's', 'sid', 's9', 'x', '<message/>'])).toEqual({ kind: 's', sessionId: 's9', payload: '<message/>' });
    expect(readBusEntry(['k', 'c', 'sid', 's9', 'c', 'system-shutdown'])).toEqual({ kind: 'c', sessionId: 's9', payload: 'system-shutdown' });
    expect(readBusEntry(['k', 'n', 'x', '<iq/>'])).toEqual({ kind: 'n', payload: '<iq/>' });
  });

  it('of a kind this version does not know are told apart, not misread', () => {
    expect(readBusEntry(['z', 'whatever'])).toBeUndefined();
    expect(readBusEntry(['s', 'no-space'])).toBeUndefined();
    expect(readBusEntry(['k', 'q', 'x', '<message/>'])).toBeUndefined();
  });
});
