// Which XEP-0203 / XEP-0091 stamps a client or a remote server may put on a stanza (protocol/delay.ts).
import { describe, expect, it } from 'vitest';
import { dropDelaysForgedByClient, dropDelaysForgedByServer } from '../../src/protocol/delay.js';
import { parseJid } from '../../src/protocol/jid.js';
import { xml, type Element } from '../../src/xml/element.js';

const served = new Set(['example.org', 'conference.example.org']);
const stamp = (from?: string) => xml('delay', { xmlns: 'urn:xmpp:delay', from, stamp: '2001-01-01T00:00:00Z' });
const froms = (stanza: Element) => stanza.getChildElements().filter((c) => c.name !== 'body').map((c) => `${c.attrs.xmlns} ${c.attrs.from ?? '-'}`);

describe('dropDelaysForgedByClient', () => {
  it('XEP-0203: keeps the client speaking for itself or quoting users elsewhere; drops servers and other local addresses', () => {
    const message = xml(
      'message',
      { to: 'bob@example.org' },
      xml('body', null, 'hi'),
      stamp(),
      stamp('alice@example.org'),
      stamp('alice@example.org/other'),
      stamp('romeo@remote.example'),
      stamp('example.org'),
      stamp('remote.example'),
      stamp('bob@example.org'),
      stamp('room@conference.example.org'),
      stamp('not a jid@@'),
      xml('x', { xmlns: 'jabber:x:delay', from: 'example.org', stamp: '20010101T00:00:00' }),
    );
    expect(dropDelaysForgedByClient(message, parseJid('alice@example.org/phone'), served)).toBe(6);
    expect(froms(message)).toEqual([
      'urn:xmpp:delay -',
      'urn:xmpp:delay alice@example.org',
      'urn:xmpp:delay alice@example.org/other',
      'urn:xmpp:delay romeo@remote.example',
    ]);
    expect(message.getChildText('body')).toBe('hi');
  });

  it('leaves a stanza without stamps untouched (same children array)', () => {
    const message = xml('message', { to: 'bob@example.org' }, xml('body', null, 'hi'));
    const children = message.children;
    expect(dropDelaysForgedByClient(message, parseJid('alice@example.org/phone'), served)).toBe(0);
    expect(message.children).toBe(children);
  });

  it('only looks at the stanza’s own stamps, not those inside a payload', () => {
    const forwarded = xml('forwarded', { xmlns: 'urn:xmpp:forward:0' }, stamp('example.org'));
    const message = xml('message', { to: 'bob@example.org' }, forwarded);
    expect(dropDelaysForgedByClient(message, parseJid('alice@example.org/phone'), served)).toBe(0);
  });
});

describe('dropDelaysForgedByServer', () => {
  it('XEP-0203: keeps stamps of the authenticated domains, drops the rest', () => {
    const message = xml('message', {}, stamp('remote.example'), stamp('user@remote.example'), stamp('example.org'), stamp('third.example'), stamp());
    expect(dropDelaysForgedByServer(message, new Set(['remote.example']))).toBe(2);
    expect(froms(message)).toEqual(['urn:xmpp:delay remote.example', 'urn:xmpp:delay user@remote.example', 'urn:xmpp:delay -']);
  });
});
