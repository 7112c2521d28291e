// XEP-0198 counting, including the wrap at 2^32 (§4: "h ... MUST be reset to 0 after 2^32 - 1").
import { describe, expect, it } from 'vitest';
import { xml } from '../../src/xml/element.js';
import { COUNTER_MODULUS, distance, increment, parseCounter } from '../../src/stream/stream-management/counter.js';
import { OutboundQueue } from '../../src/stream/stream-management/outbound-queue.js';

const stanza = (n: number) => xml('message', { id: `m${n}` });

describe('XEP-0198 counters', () => {
  it('XEP-0198 §4: the counter wraps from 2^32 - 1 to 0', () => {
    expect(increment(COUNTER_MODULUS - 1)).toBe(0);
    expect(increment(41)).toBe(42);
    expect(distance(2, COUNTER_MODULUS - 3)).toBe(5);
  });

  it('parses h strictly: decimal, 0..2^32-1', () => {
    expect(parseCounter('0')).toBe(0);
    expect(parseCounter('4294967295')).toBe(4294967295);
    expect(parseCounter('4294967296')).toBeUndefined();
    expect(parseCounter('-1')).toBeUndefined();
    expect(parseCounter('1e3')).toBeUndefined();
    expect(parseCounter(undefined)).toBeUndefined();
  });
});

describe('outbound queue', () => {
  it('acknowledges in order and keeps the rest', () => {
    const queue = new OutboundQueue();
    for (let i = 1; i <= 5; i++) queue.push(stanza(i));
    expect(queue.ack(3)?.map((s) => s.attrs.id)).toEqual(['m1', 'm2', 'm3']);
    expect(queue.unacked().map((s) => s.attrs.id)).toEqual(['m4', 'm5']);
    expect(queue.ack(3)).toEqual([]);
    expect(queue.acked).toBe(3);
  });

  it('XEP-0198 §4: an h beyond what was sent is refused', () => {
    const queue = new OutboundQueue();
    queue.push(stanza(1));
    expect(queue.ack(2)).toBeUndefined();
    expect(queue.unackedCount).toBe(1);
  });

  it('XEP-0198 §4: counting continues correctly across the 2^32 wrap', () => {
    const queue = new OutboundQueue(COUNTER_MODULUS - 2);
    for (let i = 1; i <= 4; i++) queue.push(stanza(i));
    expect(queue.sent).toBe(2);
    // The client has seen two stanzas: h = 2^32 - 2 + 2 wraps to 0.
    expect(queue.ack(0)?.map((s) => s.attrs.id)).toEqual(['m1', 'm2']);
    expect(queue.ack(2)?.map((s) => s.attrs.id)).toEqual(['m3', 'm4']);
    expect(queue.unackedCount).toBe(0);
    expect(queue.ack(3)).toBeUndefined();
  });

  it('drain hands back everything unacknowledged', () => {
    const queue = new OutboundQueue();
    queue.push(stanza(1));
    queue.push(stanza(2));
    queue.ack(1);
    expect(queue.drain().map((s) => s.attrs.id)).toEqual(['m2']);
    expect(queue.unackedCount).toBe(0);
  });
});
