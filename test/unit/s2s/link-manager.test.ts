// The link manager and OutboundLink in-process: the queue bound while a link negotiates, and the
// back-off after a link could not be opened, driven by a clock the test moves. Real s2s sides
// (a.test, b.test, c.test) on loopback, with a resolver the test controls and routers that record.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/protocol/jid.js';
import type { Resolution, S2sResolver } from '../../../src/s2s/resolver.js';
import type { S2sHandle } from '../../../src/s2s/start-s2s.js';
import { startS2sSide, stopS2sSides, until } from '../../harness/s2s-side.js';
import { xml, type Element } from '../../../src/xml/element.js';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
let dir: string;
const ports = new Map<string, number>();
const resolveCalls = new Map<string, number>();
/** b.test resolves only when the test opens this gate. */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));
/** c.test does not resolve while this is true. */
let cDown = true;

const resolver: S2sResolver = {
  resolve: async (domain): Promise<Resolution> => {
    resolveCalls.set(domain, (resolveCalls.get(domain) ?? 0) + 1);
    if (domain === 'b.test') await gate;
    if (domain === 'dead.test' || (domain === 'c.test' && cDown)) return { ok: false, reason: `no route to ${domain}` };
    const port = ports.get(domain);
    return port === undefined ? { ok: false, reason: `no route to ${domain}` } : { ok: true, targets: [{ host: '127.0.0.1', port }] };
  },
};
const routed = new Map<string, Element[]>();
const sides = new Map<string, S2sHandle>();
let now = 1_000_000;

async function side(domain: string): Promise<S2sHandle> {
  const { handle, received } = await startS2sSide({ dir, domain, resolver, now: () => now, s2sYaml: ['  maxQueuedStanzas: 3', '  retry: { initialBackoffSeconds: 5, maxBackoffSeconds: 12, messageDeadlineSeconds: 0 }'] });
  routed.set(domain, received);
  ports.set(domain, handle.listener.port);
  sides.set(domain, handle);
  return handle;
}

const alice = parseJid('alice@a.test/r');
const message = (to: string, id: string, type = 'chat') => xml('message', { from: alice.toString(), to, id, type }, xml('body', null, id));
const send = (stanza: Element) => sides.get('a.test')!.links.send(stanza, alice, parseJid(stanza.attrs.to!));

/** Error replies a.test's router was handed (bounces to alice), as id → condition, error type, text. */
function bounces(prefix: string) {
  return routed.get('a.test')!.filter((s) => s.attrs.type === 'error' && s.attrs.id?.startsWith(prefix) === true).map((s) => {
    const error = s.getChild('error')!;
    const condition = error.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text');
    return { id: s.attrs.id, to: s.attrs.to, condition: condition?.name, type: error.attrs.type, text: error.getChildText('text', STANZAS) };
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-link-manager-'));
  await side('a.test');
  await side('b.test');
  await side('c.test');
});

afterAll(() => stopS2sSides(sides.values(), dir));

describe('queue bound while a link is being established', () => {
  it('bounces stanzas beyond s2s.maxQueuedStanzas with resource-constraint and delivers the kept ones in order', async () => {
    const a = sides.get('a.test')!;
    for (const id of ['q0', 'q1', 'q2', 'q3', 'q4']) await send(message('bob@b.test', id));
    // Never an error in answer to an error or an IQ result, even when the queue is full.
    await send(message('bob@b.test', 'q5-error', 'error'));
    await send(xml('iq', { from: alice.toString(), to: 'b.test', id: 'q6-result', type: 'result' }));
    expect(a.status().find((l) => l.remote[0] === 'b.test')).toMatchObject({ state: 'negotiating', queue: 3 });
    expect(bounces('q')).toEqual(['q3', 'q4'].map((id) => ({
      id,
      to: alice.toString(),
      condition: 'resource-constraint',
      type: 'wait',
      text: 'the link to b.test is still being established and its queue is full (3 stanzas waiting)',
    })));

    openGate();
    const atB = routed.get('b.test')!;
    await until(() => atB.length >= 3, 'the queued stanzas at b.test');
    expect(atB.map((s) => s.attrs.id)).toEqual(['q0', 'q1', 'q2']);
    expect(a.status().find((l) => l.remote[0] === 'b.test')).toMatchObject({ state: 'ready', queue: 0, stanzasOut: 3 });
    // Once ready, there is no bound: stanzas go straight out.
    for (const id of ['q7', 'q8', 'q9', 'q10']) await send(message('bob@b.test', id));
    await until(() => atB.length >= 7, 'the later stanzas at b.test');
    expect(atB.map((s) => s.attrs.id)).toEqual(['q0', 'q1', 'q2', 'q7', 'q8', 'q9', 'q10']);
    expect(bounces('q').map((b) => b.id)).toEqual(['q3', 'q4']);
  });
});

describe('a ready link whose stream is going away', () => {
  it('hands the stanza to a fresh link instead of keeping it where it would never be sent', async () => {
    const a = sides.get('a.test')!;
    const atB = routed.get('b.test')!;
    const link = a.links.list().find((l) => l.remote === 'b.test')!;
    expect(link.status().state).toBe('ready');
    // What a stream error or a peer that stopped reading leaves behind: a stream that refuses
    // writes while its link has not yet heard that it closed.
    (link as unknown as { channel: { stream: { close(): void } } }).channel.stream.close();
    await send(message('bob@b.test', 'r0'));
    expect(link.closed).toBe(true);
    await until(() => atB.some((s) => s.attrs.id === 'r0'), 'r0 at b.test over a new link');
    expect(a.links.list().filter((l) => l.remote === 'b.test')).toHaveLength(1);
    expect(a.links.list().find((l) => l.remote === 'b.test')).not.toBe(link);
  });
});

describe('back-off after a link could not be opened', () => {
  it('bounces at once with the remembered reason, without a new attempt, until the period (doubling, capped) is over', async () => {
    const calls = () => resolveCalls.get('dead.test') ?? 0;
    await send(message('x@dead.test', 'd0'));
    await until(() => bounces('d0').length === 1, 'the bounce of d0');
    expect(bounces('d0')[0]).toMatchObject({ condition: 'remote-server-not-found', type: 'cancel', text: 'no route to dead.test' });
    expect(calls()).toBe(1);

    const expectRefused = async (id: string, text: string) => {
      const before = calls();
      await send(message('x@dead.test', id));
      // The bounce was routed before send() returned: no link was opened for it.
      expect(bounces(id)).toEqual([{ id, to: alice.toString(), condition: 'remote-server-not-found', type: 'cancel', text }]);
      expect(calls()).toBe(before);
      // No link was opened: the pair shows only as failed, with the remembered reason.
      const rows = sides.get('a.test')!.status().filter((l) => l.remote[0] === 'dead.test');
      expect(rows).toEqual([expect.objectContaining({ state: 'failed', lastError: 'no route to dead.test' })]);
    };
    const expectAttempt = async (id: string) => {
      const before = calls();
      await send(message('x@dead.test', id));
      await until(() => bounces(id).length === 1, `the bounce of ${id}`);
      expect(bounces(id)[0]!.text).toBe('no route to dead.test');
      expect(calls()).toBe(before + 1);
    };

    await expectRefused('d1', 'no route to dead.test (last attempt 0 s ago; next attempt in 5 s)');
    // An error stanza is never answered, not even from the back-off.
    await send(message('x@dead.test', 'd1-error', 'error'));
    expect(bounces('d1-error')).toEqual([]);
    now += 3_000;
    await expectRefused('d2', 'no route to dead.test (last attempt 3 s ago; next attempt in 2 s)');
    now += 2_000;
    await expectAttempt('d3');
    await expectRefused('d4', 'no route to dead.test (last attempt 0 s ago; next attempt in 10 s)');
    now += 10_000;
    await expectAttempt('d5');
    // 20 s would be next; s2s.retry.maxBackoffSeconds caps it at 12.
    await expectRefused('d6', 'no route to dead.test (last attempt 0 s ago; next attempt in 12 s)');
    now += 11_999;
    await expectRefused('d7', 'no route to dead.test (last attempt 11 s ago; next attempt in 1 s)');
    now += 1;
    await expectAttempt('d8');
  });

  it('a link that opens resets the back-off', async () => {
    const c = sides.get('a.test')!;
    await send(message('carl@c.test', 'c0'));
    await until(() => bounces('c0').length === 1, 'the bounce of c0');
    await send(message('carl@c.test', 'c1'));
    expect(bounces('c1')[0]?.text).toMatch(/next attempt in 5 s\)$/);
    now += 5_000;
    cDown = false;
    await send(message('carl@c.test', 'c2'));
    await until(() => routed.get('c.test')!.some((s) => s.attrs.id === 'c2'), 'c2 at c.test');
    // The link goes away and c.test with it: the next failure starts again from 5 s, not 10 s.
    c.links.closeAll();
    cDown = true;
    await send(message('carl@c.test', 'c3'));
    await until(() => bounces('c3').length === 1, 'the bounce of c3');
    await send(message('carl@c.test', 'c4'));
    expect(bounces('c4')[0]?.text).toBe('no route to c.test (last attempt 0 s ago; next attempt in 5 s)');
  });
});
