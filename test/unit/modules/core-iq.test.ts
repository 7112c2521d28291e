// The core's IQ rules as modules rely on them: unhandled requests and failing handlers.
import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { StanzaError } from '../../../src/protocol/stanza-error.js';
import type { HeraldModule } from '../../../src/core/modules/module.js';
import { builtinModules } from '../../../src/modules/index.js';
import { createInProcessCore, errorCondition, type InProcessCore } from '../../harness/in-process-core.js';

const failing: HeraldModule = {
  name: 'failing',
  enabledByDefault: true,
  load(ctx) {
    ctx.handleIq({ target: 'host', type: 'get', xmlns: 'urn:test:crash', handler: () => { throw new Error('bug'); } });
    ctx.handleIq({ target: 'host', type: 'get', xmlns: 'urn:test:refuse', handler: () => { throw new StanzaError('forbidden'); } });
  },
};

let core: InProcessCore;
afterEach(async () => core.close());

describe('IQ dispatch with the built-in modules loaded', () => {
  it('RFC 6120 §8.2.3: an IQ to the server nobody handles gets service-unavailable', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply, ...rest] = await core.send(alice, xml('iq', { type: 'get', id: 'q1', to: 'example.org' }, xml('query', { xmlns: 'urn:test:nobody' })));
    expect(rest).toHaveLength(0);
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'q1', from: 'example.org', to: 'alice@example.org/home' });
    expect(errorCondition(reply)).toBe('service-unavailable');
  });

  it('RFC 6120 §8.3.3.6: a handler that throws a plain error answers internal-server-error', async () => {
    core = await createInProcessCore({ modules: [...builtinModules, failing] });
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'c1', to: 'example.org' }, xml('query', { xmlns: 'urn:test:crash' })));
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'c1' });
    expect(errorCondition(reply)).toBe('internal-server-error');
  });

  it('RFC 6120 §8.3: a handler that throws a StanzaError answers that condition', async () => {
    core = await createInProcessCore({ modules: [...builtinModules, failing] });
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'r1', to: 'example.org' }, xml('query', { xmlns: 'urn:test:refuse' })));
    expect(errorCondition(reply)).toBe('forbidden');
  });

  // Known core gap: errorReply swaps the addresses, so the reply to an IQ without 'to' has no
  // 'from' and the router drops it. Drop `.fails` once the dispatcher stamps 'from' on errors
  // the way it does on results.
  it('RFC 6120 §10.3.3: an error for an IQ without a to address still reaches the sender', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'q2' }, xml('query', { xmlns: 'urn:test:nobody' })));
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'q2', from: 'alice@example.org', to: 'alice@example.org/home' });
    expect(errorCondition(reply)).toBe('service-unavailable');
  });

  it('the built-in module list loads disco, ping, version, time and register by default', async () => {
    core = await createInProcessCore();
    expect(core.modules.names()).toEqual(expect.arrayContaining(['disco', 'ping', 'register', 'time', 'version']));
  });
});
