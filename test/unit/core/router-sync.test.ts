// Router.routeNow: the same stages as route (stanza/outbound, pre-<kind>, <kind> on the hosted
// domain, then an error for what nobody claimed), finished without a promise when every handler
// answered at once, and in the same order, each stage after the last, when one waits.
import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { createInProcessCore, type InProcessCore } from '../../harness/in-process-core.js';

let core: InProcessCore;
afterEach(async () => core.close());

const chat = (to: string) => xml('message', { from: 'alice@example.org/phone', to, type: 'chat' }, xml('body', null, 'hi'));

describe('router: routeNow', () => {
  it('RFC 6120 §10: with synchronous handlers every stage runs before routeNow returns, and no promise is made', async () => {
    core = await createInProcessCore({ modules: [] });
    const alice = await core.connect('alice@example.org/phone');
    const ran: string[] = [];
    core.events.on('stanza/outbound', () => void ran.push('outbound'));
    core.events.on('pre-message/bare', () => void ran.push('pre'));
    core.events.on('message/bare', () => (ran.push('on'), true));
    expect(core.router.routeNow(chat('bob@example.org'), alice)).toBeUndefined();
    expect(ran).toEqual(['outbound', 'pre', 'on']);
  });

  it('RFC 6120 §10: a stage that waits holds the later ones back until it answers', async () => {
    core = await createInProcessCore({ modules: [] });
    const alice = await core.connect('alice@example.org/phone');
    const ran: string[] = [];
    let release = (): void => undefined;
    // Only alice's message waits here; the error bob's account sends back passes at once.
    core.events.on('stanza/outbound', (event) => {
      if (event.to.local !== 'bob') return;
      return new Promise<void>((resolve) => (release = resolve)).then(() => void ran.push('outbound'));
    });
    core.events.on('pre-message/bare', () => void ran.push('pre'));
    core.events.on('message/bare', () => void ran.push('on'));
    const pending = core.router.routeNow(chat('bob@example.org'), alice);
    expect(pending).toBeInstanceOf(Promise);
    expect(ran).toEqual([]);
    release();
    await pending;
    expect(ran).toEqual(['outbound', 'pre', 'on']);
  });

  it('a claim at any stage stops the stanza there, synchronous or not', async () => {
    core = await createInProcessCore({ modules: [] });
    const alice = await core.connect('alice@example.org/phone');
    const ran: string[] = [];
    core.events.on('stanza/outbound', () => void ran.push('outbound'));
    core.events.on('pre-message/bare', async () => (ran.push('pre claims'), true));
    core.events.on('message/bare', () => void ran.push('on'));
    await core.router.routeNow(chat('bob@example.org'), alice);
    expect(ran).toEqual(['outbound', 'pre claims']);
    expect(alice.sent).toEqual([]);
  });
});
