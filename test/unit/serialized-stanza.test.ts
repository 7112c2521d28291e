// A stanza another node's bus brought is written to the client as it came, its tree built only if
// something looks inside (src/xml/serialized-stanza.ts, src/c2s/session-outbound.ts).
import { describe, expect, it } from 'vitest';
import { SerializedStanza, mayHoldNamespace, textOf, treeOf } from '../../src/xml/serialized-stanza.js';
import { xml } from '../../src/xml/element.js';
import { serialize } from '../../src/xml/serialize.js';
import { SessionOutbound, type AckTracking, type OutboundTransport } from '../../src/c2s/session-outbound.js';
import type { OutgoingStanza } from '../../src/xml/serialized-stanza.js';

/** Counts how often its tree is built. */
class CountingStanza extends SerializedStanza {
  builds = 0;
  override element() {
    this.builds += 1;
    return super.element();
  }
}

class FakeTransport implements OutboundTransport {
  readonly written: string[] = [];
  bufferedBytes = 0;
  writeCount = 0;
  flushedCount = 0;
  writeSerialized(text: string): boolean {
    this.written.push(text);
    this.writeCount += 1;
    return true;
  }
}

class FakeAcks implements AckTracking {
  readonly tracked: OutgoingStanza[] = [];
  constructor(readonly enabled: boolean) {}
  get unackedCount() {
    return this.tracked.length;
  }
  unackedBytes = 0;
  track(stanza: OutgoingStanza): void {
    this.tracked.push(stanza);
  }
}

// Single quotes and an entity: serialize() would write this differently, so text that went through
// a tree and back would not match.
const WIRE = `<message to='bob@localhost/r' from='alice@localhost/a' type='chat' id='m1'><body>fish &amp; chips</body></message>`;

describe('a stanza as wire text', () => {
  it('knows its name from the start tag, without building its tree', () => {
    for (const [text, name] of [
      [WIRE, 'message'],
      ['<iq type="get" id="1"/>', 'iq'],
      ['<presence/>', 'presence'],
      ['<presence>', 'presence'],
      ['<message\nto="x"/>', 'message'],
    ] as const) {
      const stanza = new CountingStanza(text);
      expect(stanza.name).toBe(name);
      expect(stanza.builds).toBe(0);
    }
  });

  it('builds its tree once, on demand, and that tree says what the text says', () => {
    const stanza = new SerializedStanza(WIRE);
    const tree = treeOf(stanza);
    expect(tree).toBe(stanza.element());
    expect(tree.attrs).toMatchObject({ to: 'bob@localhost/r', type: 'chat', id: 'm1' });
    expect(tree.getChildText('body')).toBe('fish & chips');
    expect(textOf(stanza)).toBe(WIRE);
    const element = xml('message', { id: 'x' });
    expect(treeOf(element)).toBe(element);
    expect(textOf(element)).toBe(serialize(element));
  });

  it('tells for certain when it holds nothing in a namespace; an element is left to the caller', () => {
    expect(mayHoldNamespace(new SerializedStanza(WIRE), 'urn:xmpp:receipts')).toBe(false);
    expect(mayHoldNamespace(new SerializedStanza(`<message id='r'><request xmlns='urn:xmpp:receipts'/></message>`), 'urn:xmpp:receipts')).toBe(true);
    expect(mayHoldNamespace(xml('message'), 'urn:xmpp:receipts')).toBe(true);
  });
});

describe('a session writing wire text', () => {
  it('writes it to the client as it came and confirms it once the network took it, never building its tree', () => {
    const outbound = new SessionOutbound(new FakeAcks(false), 10);
    const transport = new FakeTransport();
    outbound.attach(transport);
    const stanza = new CountingStanza(WIRE);
    const confirmed: boolean[] = [];
    outbound.send(stanza, (delivered) => confirmed.push(delivered));
    expect(transport.written).toEqual([WIRE]);
    transport.flushedCount = 1;
    outbound.written();
    expect(confirmed).toEqual([true]);
    expect(stanza.builds).toBe(0);
  });

  it('with stream management, keeps it unacknowledged as text; if the session ends, hands back its tree for re-homing', () => {
    const acks = new FakeAcks(true);
    const outbound = new SessionOutbound(acks, 10);
    outbound.attach(new FakeTransport());
    const stanza = new CountingStanza(WIRE);
    const confirmed: boolean[] = [];
    outbound.send(stanza, (delivered) => confirmed.push(delivered));
    expect(acks.tracked).toEqual([stanza]);
    expect(stanza.builds).toBe(0);
    const lost = outbound.undelivered(acks.tracked);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBe(stanza.element());
    expect(lost[0]!.attrs.id).toBe('m1');
    expect(confirmed).toEqual([false]);
  });

  it('written again after a resumption, it is the same text', () => {
    const outbound = new SessionOutbound(new FakeAcks(true), 10);
    outbound.attach(new FakeTransport());
    outbound.detach();
    const again = new FakeTransport();
    outbound.resumeOnto(again, [new SerializedStanza(WIRE)]);
    expect(again.written).toEqual([WIRE]);
  });
});
