// Stream management between servers: the sending side keeps what the peer has not acknowledged
// and asks for acknowledgements; the receiving side counts what it handled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { LinkAcks } from '../../../src/s2s/link-acks.js';
import { InboundAcks } from '../../../src/s2s/inbound-acks.js';

const SM = 'urn:xmpp:sm:3';
const stanza = (n: number) => xml('message', { id: `m${n}` });

afterEach(() => {
  vi.useRealTimers();
});

function sender(ackTimeoutMs = 30_000) {
  const written: Element[] = [];
  let unresponsive = 0;
  const acks = new LinkAcks((nonza) => written.push(nonza), () => (unresponsive += 1), ackTimeoutMs);
  return { acks, written, unresponsive: () => unresponsive };
}

describe('outgoing link acknowledgements', () => {
  it('asks for an acknowledgement every 10 stanzas in a burst', () => {
    const { acks, written } = sender();
    for (let i = 1; i <= 25; i++) acks.sent(stanza(i));
    expect(written.map((e) => e.name)).toEqual(['r', 'r']);
    acks.stop();
  });

  it('asks within a second for a lone stanza', () => {
    vi.useFakeTimers();
    const { acks, written } = sender();
    acks.sent(stanza(1));
    expect(written).toHaveLength(0);
    vi.advanceTimersByTime(1_000);
    expect(written.map((e) => e.name)).toEqual(['r']);
    acks.stop();
  });

  it('keeps exactly the stanzas the peer has not acknowledged, oldest first', () => {
    const { acks } = sender();
    for (let i = 1; i <= 7; i++) acks.sent(stanza(i));
    expect(acks.acknowledged('4')).toBe(true);
    expect(acks.unackedCount).toBe(3);
    expect(acks.takeUnacked().map((s) => s.attrs.id)).toEqual(['m5', 'm6', 'm7']);
    expect(acks.unackedCount).toBe(0);
  });

  it('refuses an h that counts more than was sent, or is not a number', () => {
    const { acks } = sender();
    acks.sent(stanza(1));
    expect(acks.acknowledged('2')).toBe(false);
    expect(acks.acknowledged('one')).toBe(false);
    expect(acks.acknowledged(undefined)).toBe(false);
    expect(acks.unackedCount).toBe(1);
    acks.stop();
  });

  it('declares the peer unresponsive when a request goes unanswered past the deadline', () => {
    vi.useFakeTimers();
    const { acks, unresponsive } = sender(5_000);
    for (let i = 1; i <= 10; i++) acks.sent(stanza(i));
    vi.advanceTimersByTime(4_999);
    expect(unresponsive()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(unresponsive()).toBe(1);
    acks.stop();
  });

  it('an acknowledgement of everything clears the deadline; partial progress restarts it', () => {
    vi.useFakeTimers();
    const { acks, unresponsive } = sender(5_000);
    for (let i = 1; i <= 10; i++) acks.sent(stanza(i));
    vi.advanceTimersByTime(4_000);
    expect(acks.acknowledged('6')).toBe(true);
    vi.advanceTimersByTime(4_000);
    expect(unresponsive()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(unresponsive()).toBe(1);
    acks.acknowledged('10');
    vi.advanceTimersByTime(60_000);
    expect(unresponsive()).toBe(1);
    acks.stop();
  });
});

describe('incoming stream acknowledgements', () => {
  function receiver() {
    const written: Element[] = [];
    return { acks: new InboundAcks((nonza) => written.push(nonza)), written };
  }

  it('answers <enable/> with <enabled/> without resumption, then counts handled stanzas', () => {
    const { acks, written } = receiver();
    acks.handled(); // before enable: not counted
    expect(acks.onNonza(xml('enable', { xmlns: SM }))).toBeUndefined();
    expect(written[0]!.name).toBe('enabled');
    expect(written[0]!.attrs.resume).toBeUndefined();
    acks.handled();
    acks.handled();
    expect(acks.onNonza(xml('r', { xmlns: SM }))).toBeUndefined();
    expect(written[1]!.name).toBe('a');
    expect(written[1]!.attrs.h).toBe('2');
  });

  it('a second <enable/> fails; <r/> before enabling is a stream error', () => {
    const { acks, written } = receiver();
    expect(acks.onNonza(xml('r', { xmlns: SM }))?.condition).toBe('unsupported-stanza-type');
    acks.onNonza(xml('enable', { xmlns: SM }));
    acks.onNonza(xml('enable', { xmlns: SM }));
    expect(written.map((e) => e.name)).toEqual(['enabled', 'failed']);
  });

  it('flush tells the count unasked, only when enabled', () => {
    const { acks, written } = receiver();
    acks.flush();
    expect(written).toHaveLength(0);
    acks.onNonza(xml('enable', { xmlns: SM }));
    acks.handled();
    acks.flush();
    expect(written.at(-1)!.attrs.h).toBe('1');
  });
});
