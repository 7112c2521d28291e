import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { createInProcessCore, errorCondition, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

let core: InProcessCore;
afterEach(async () => core.close());

describe('XEP-0199 XMPP Ping', () => {
  it('XEP-0199 §4.2: server answers ping with an empty result', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const replies = await core.send(alice, xml('iq', { type: 'get', id: 'p1', to: 'example.org' }, xml('ping', { xmlns: NS.ping })));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.attrs).toMatchObject({ type: 'result', id: 'p1', from: 'example.org', to: 'alice@example.org/home' });
    expect(replies[0]?.children).toHaveLength(0);
  });

  it('XEP-0199 §4.2: a ping without a to address is answered by the server for the account', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'p3' }, xml('ping', { xmlns: NS.ping })));
    expect(reply?.attrs).toMatchObject({ type: 'result', id: 'p3', to: 'alice@example.org/home' });
    expect(reply?.children).toHaveLength(0);
  });

  it('RFC 6121 §8.5.1: a ping to the bare JID of an account that does not exist gets service-unavailable', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'p4', to: 'nobody@example.org' }, xml('ping', { xmlns: NS.ping })));
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'p4', from: 'nobody@example.org' });
    expect(errorCondition(reply)).toBe('service-unavailable');
  });

  it('XEP-0199 §5: the server advertises urn:xmpp:ping', async () => {
    core = await createInProcessCore();
    expect(await discoFeatures(core, 'example.org')).toContain(NS.ping);
  });

  it('XEP-0199 §4.2: without the module the server answers service-unavailable', async () => {
    core = await createInProcessCore({ moduleConfig: { ping: { enabled: false, options: {} } } });
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'p2', to: 'example.org' }, xml('ping', { xmlns: NS.ping })));
    expect(errorCondition(reply)).toBe('service-unavailable');
    expect(await discoFeatures(core, 'example.org')).not.toContain(NS.ping);
  });
});
