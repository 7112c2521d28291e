// status() of outgoing links and incoming streams: two in-process s2s sides (a.test, b.test) on
// loopback with self-signed certificates (so dialback), routers that only record.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import type { LinkStatus } from '../../../src/s2s/link-status.js';
import type { S2sResolver } from '../../../src/s2s/resolver.js';
import type { S2sHandle } from '../../../src/s2s/start-s2s.js';
import { startS2sSide, stopS2sSides, until } from '../../harness/s2s-side.js';
import { xml, type Element } from '../../../src/xml/element.js';

let dir: string;
const ports = new Map<string, number>();
// Domains without a port here do not resolve; 'slow.test' never answers.
const resolver: S2sResolver = {
  resolve: async (domain) => {
    if (domain === 'slow.test') return new Promise(() => undefined);
    const port = ports.get(domain);
    return port === undefined ? { ok: false, reason: `no route to ${domain}` } : { ok: true, targets: [{ host: '127.0.0.1', port }] };
  },
};
const routed = new Map<string, Element[]>();
const sides = new Map<string, S2sHandle>();
let now = 1_000_000;

async function side(domain: string): Promise<S2sHandle> {
  // Messages to unreachable peers bounced at once, as before store-and-forward (federation-held.test.ts).
  const { handle, received } = await startS2sSide({ dir, domain, resolver, now: () => now, s2sYaml: ['  retry: { messageDeadlineSeconds: 0 }'] });
  routed.set(domain, received);
  ports.set(domain, handle.listener.port);
  sides.set(domain, handle);
  return handle;
}

const message = (to: string, id: string) => xml('message', { from: 'alice@a.test/r', to, id, type: 'chat' }, xml('body', null, id));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-link-status-'));
  await side('a.test');
  await side('b.test');
});

afterAll(() => stopS2sSides(sides.values(), dir));

describe('link status', () => {
  it('shows nothing before any traffic', () => {
    expect(sides.get('a.test')!.status()).toEqual([]);
  });

  it('counts stanzas written by an outgoing link and routed by the incoming stream', async () => {
    const a = sides.get('a.test')!;
    const b = sides.get('b.test')!;
    const from = parseJid('alice@a.test/r');
    const to = parseJid('bob@b.test');
    for (let i = 0; i < 3; i++) void a.links.send(message('bob@b.test', `m${i}`), from, to);

    const [opening] = a.status();
    expect(opening).toMatchObject({ direction: 'out', local: 'a.test', remote: ['b.test'], state: 'negotiating', auth: [], stanzasOut: 0, queue: 3 });

    await until(() => routed.get('b.test')!.length === 3, 'three stanzas at b.test');
    now += 7_000;
    const out = a.status().filter((l) => l.direction === 'out');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ local: 'a.test', remote: ['b.test'], auth: [{ domain: 'b.test', method: 'dialback' }], state: 'ready', ageSeconds: 7, stanzasIn: 0, stanzasOut: 3, queue: 0 });
    expect(out[0]!.tls).toMatch(/^TLSv1\.[23]$/);
    expect(out[0]!.remoteAddress).toBe(`127.0.0.1:${b.listener.port}`);

    // (a.test also had b.test's short dialback verify stream coming in; b.test has the link's.)
    const inbound = b.status().filter((l: LinkStatus) => l.direction === 'in' && l.auth.length > 0);
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ local: 'b.test', remote: ['a.test'], auth: [{ domain: 'a.test', method: 'dialback' }], state: 'ready', stanzasIn: 3, stanzasOut: 0, queue: 0 });
    expect(inbound[0]!.tls).toMatch(/^TLSv1\.[23]$/);
    expect(inbound[0]!.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);

    // One more stanza goes straight out on the ready link.
    void a.links.send(message('bob@b.test', 'm3'), from, to);
    expect(a.status().find((l) => l.direction === 'out')).toMatchObject({ stanzasOut: 4, queue: 0 });
  });

  it('holds stanzas in the queue of a link that is still negotiating, and forgets a link that failed', async () => {
    const a = sides.get('a.test')!;
    const from = parseJid('alice@a.test/r');
    void a.links.send(message('carol@slow.test', 's0'), from, parseJid('carol@slow.test'));
    void a.links.send(message('carol@slow.test', 's1'), from, parseJid('carol@slow.test'));
    expect(a.status().find((l) => l.remote[0] === 'slow.test')).toMatchObject({ direction: 'out', state: 'negotiating', remoteAddress: '', tls: undefined, queue: 2, stanzasOut: 0 });

    void a.links.send(message('dave@nowhere.test', 'n0'), from, parseJid('dave@nowhere.test'));
    // The bounce goes back through a.test's router once the link has failed.
    await until(() => routed.get('a.test')!.some((s) => s.attrs.id === 'n0'), 'the bounce');
    // The failed link itself is gone; what remains is the pair's last error, until the next attempt.
    const rows = a.status().filter((l) => l.remote[0] === 'nowhere.test');
    expect(rows).toEqual([expect.objectContaining({ direction: 'out', state: 'failed', lastError: expect.any(String), queue: 0 })]);
  });
});
