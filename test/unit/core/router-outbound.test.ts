// The router's `stanza/outbound` event: fired for everything an account of a hosted domain sends
// to another entity (from its client or from a module), never for its own account or for other
// senders; a handler that claims it stops the stanza before any other hook sees it.
import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import type { StanzaEvent } from '../../../src/core/events.js';
import { createInProcessCore, type InProcessCore } from '../../harness/in-process-core.js';

let core: InProcessCore;
afterEach(async () => core.close());

describe('router: stanza/outbound', () => {
  it('fires for local accounts sending elsewhere (directly or through a module), and a claim stops the stanza', async () => {
    core = await createInProcessCore({ modules: [] });
    const seen: string[] = [];
    const pre: string[] = [];
    core.events.on('stanza/outbound', (event: StanzaEvent) => {
      seen.push(`${event.from.toString()} -> ${event.to.toString()}${event.origin ? ' (client)' : ''}`);
      return event.to.local === 'blocked';
    });
    core.events.on('pre-message/bare', (event) => void pre.push(event.to.toString()));
    const alice = await core.connect('alice@example.org/phone');

    await core.send(alice, xml('message', { to: 'bob@example.org', type: 'chat' }, xml('body', null, 'hi')));
    await core.send(alice, xml('message', { to: 'blocked@example.org', type: 'chat' }, xml('body', null, 'hi')));
    await core.send(alice, xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', null, 'note to self')));
    // What a module routes for the account (as presence broadcasts are), and what others send.
    await core.router.route(xml('presence', { from: 'alice@example.org/phone', to: 'carol@elsewhere.example' }));
    await core.router.route(xml('message', { from: 'dave@elsewhere.example/x', to: 'alice@example.org', type: 'chat' }));
    await core.router.route(xml('iq', { from: 'example.org', to: 'alice@example.org/phone', type: 'get', id: 'p' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));

    // With no modules loaded, the messages to bob and alice are answered service-unavailable for
    // those accounts: replies made for an account pass the hook too.
    expect(seen).toEqual([
      'alice@example.org/phone -> bob@example.org (client)',
      'bob@example.org -> alice@example.org/phone',
      'alice@example.org/phone -> blocked@example.org (client)',
      'alice@example.org/phone -> carol@elsewhere.example',
      'alice@example.org -> dave@elsewhere.example/x',
    ]);
    // The claimed stanza never reached the pre- hooks.
    expect(pre).toEqual(['bob@example.org', 'alice@example.org']);
  });
});
