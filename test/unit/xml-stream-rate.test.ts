// XmlStream's per-connection rates: a peer that spends its stanza (or byte) allowance has its
// reading paused until the allowance is repaid, however many stanzas one read carried.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { XmlStream, type XmlStreamHandler } from '../../src/stream/xml-stream.js';
import type { Element } from '../../src/xml/element.js';
import { createLogger } from '../../src/util/logger.js';
import { createFakeClock } from '../harness/in-process-core.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

/** A loopback connection with an XmlStream on the accepting side. */
async function pair(stanzasPerSecond: number) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [socket] = (await accepted) as [net.Socket];
  const elements: Element[] = [];
  const handler: XmlStreamHandler = { streamStart: () => undefined, element: (el) => elements.push(el), streamEnd: () => undefined, closed: () => undefined };
  const clock = createFakeClock();
  const limits = { maxStanzaBytes: 65536, maxDepth: 16, maxAttributes: 16 };
  const stream = new XmlStream(socket, { limits, bytesPerSecond: 1e9, stanzasPerSecond, idleTimeoutMs: 60_000, maxOutboundBytes: 1e6, clock, log: createLogger('silent') }, handler);
  cleanup.push(() => {
    stream.destroy();
    peer.destroy();
    server.close();
  });
  return { socket, peer, elements, clock };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

describe('stanza rate (issue 13: a token bucket on stanzas as well as bytes)', () => {
  it('a read carrying more stanzas than the allowance is handled, then reading pauses until it is repaid', async () => {
    const { socket, peer, elements, clock } = await pair(5);
    peer.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>${'<presence/>'.repeat(10)}`);
    await until(() => elements.length === 10);
    expect(socket.isPaused()).toBe(true);
    // The clock says the debt (5 stanzas at 5 per second) is long repaid; the pause
    // ends on the timer that was set for it, and what the peer sent meanwhile is then read.
    clock.advance(2_000);
    peer.write('<presence/>');
    await until(() => elements.length === 11);
    expect(socket.isPaused()).toBe(false);
  });

  it('within the allowance reading never pauses', async () => {
    const { socket, peer, elements } = await pair(100);
    peer.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>${'<presence/>'.repeat(10)}`);
    await until(() => elements.length === 10);
    expect(socket.isPaused()).toBe(false);
  });
});
