// XEP-0203 stamps arriving over federation: a remote server may date a stanza in the name of the
// domains it authenticated on the stream, never in ours or a third party's (issue 13 item 9).
// Two in-process s2s sides on loopback (dialback), b.test's router recording what it is given.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import type { S2sResolver } from '../../../src/s2s/resolver.js';
import type { S2sHandle } from '../../../src/s2s/start-s2s.js';
import { startS2sSide, stopS2sSides, until } from '../../harness/s2s-side.js';
import { xml, type Element } from '../../../src/xml/element.js';

const NS_DELAY = 'urn:xmpp:delay';
let dir: string;
const ports = new Map<string, number>();
const resolver: S2sResolver = {
  resolve: async (domain) => {
    const port = ports.get(domain);
    return port === undefined ? { ok: false, reason: `no route to ${domain}` } : { ok: true, targets: [{ host: '127.0.0.1', port }] };
  },
};
const sides = new Map<string, S2sHandle>();
let receivedAtB: Element[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-inbound-delay-'));
  for (const domain of ['a.test', 'b.test']) {
    const { handle, received } = await startS2sSide({ dir, domain, resolver, now: () => Date.now() });
    if (domain === 'b.test') receivedAtB = received;
    ports.set(domain, handle.listener.port);
    sides.set(domain, handle);
  }
});

afterAll(() => stopS2sSides(sides.values(), dir));

describe('delay stamps from a remote server (XEP-0203)', () => {
  it("XEP-0203 §5: stamps naming our domain or a domain the peer did not authenticate are dropped; its own stay", async () => {
    const stamp = (from?: string) => xml('delay', { xmlns: NS_DELAY, from, stamp: '2001-01-01T00:00:00Z' });
    const message = xml(
      'message',
      { from: 'alice@a.test/r', to: 'bob@b.test', id: 'd1', type: 'chat' },
      xml('body', null, 'hi'),
      stamp('b.test'),
      stamp('c.test'),
      stamp('carol@c.test'),
      xml('x', { xmlns: 'jabber:x:delay', from: 'b.test', stamp: '20010101T00:00:00' }),
      stamp('a.test'),
      stamp('alice@a.test/r'),
      stamp(),
    );
    void sides.get('a.test')!.links.send(message, parseJid('alice@a.test/r'), parseJid('bob@b.test'));
    await until(() => receivedAtB.some((el) => el.attrs.id === 'd1'), 'the message at b.test');
    const got = receivedAtB.find((el) => el.attrs.id === 'd1')!;
    expect(got.getChildText('body')).toBe('hi');
    expect(got.getChildren('delay', NS_DELAY).map((d) => d.attrs.from ?? '(sender)')).toEqual(['a.test', 'alice@a.test/r', '(sender)']);
    expect(got.getChild('x', 'jabber:x:delay')).toBeUndefined();
  });
});
