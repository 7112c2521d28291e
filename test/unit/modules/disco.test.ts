import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { parseJid } from '../../../src/protocol/jid.js';
import type { HeraldModule } from '../../../src/core/modules/module.js';
import { builtinModules } from '../../../src/modules/index.js';
import { createInProcessCore, errorCondition, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures, discoInfo } from './disco-helpers.js';

/** Adds a feature twice, a feature that sorts first, and a node of its own. */
const extra: HeraldModule = {
  name: 'extra',
  enabledByDefault: true,
  load(ctx) {
    ctx.on('disco/info', (event) => {
      if (event.target !== 'host') return;
      if (event.node === 'urn:test:node') {
        event.identities.push({ category: 'automation', type: 'command-list', name: 'Commands' });
        return;
      }
      if (event.node !== undefined) return;
      event.features.add(NS.discoInfo);
      event.features.add('aaa:first');
      event.identities.push({ category: 'server', type: 'im' });
    });
  },
};

let core: InProcessCore;
afterEach(async () => core.close());

const identities = (reply: ReturnType<typeof discoInfo> extends Promise<infer E> ? E : never) =>
  (reply?.getChild('query', NS.discoInfo)?.getChildren('identity') ?? []).map((i) => ({ ...i.attrs }));

describe('XEP-0030 Service Discovery', () => {
  it('XEP-0030 §3.1: the server answers disco#info with a server/im identity and the disco features', async () => {
    core = await createInProcessCore();
    const reply = await discoInfo(core, 'example.org', 'alice@example.org/home');
    expect(reply?.attrs).toMatchObject({ type: 'result', from: 'example.org', to: 'alice@example.org/home' });
    expect(identities(reply)).toEqual([{ category: 'server', type: 'im' }]);
    const features = await discoFeatures(core, 'example.org');
    expect(features).toEqual(expect.arrayContaining([NS.discoInfo, NS.discoItems]));
  });

  it('XEP-0030 §3.1: features are those every module added, sorted and without duplicates', async () => {
    core = await createInProcessCore({ modules: [...builtinModules, extra] });
    const reply = await discoInfo(core, 'example.org');
    const features = await discoFeatures(core, 'example.org');
    expect(features).toEqual([...new Set(features)].sort());
    expect(features[0]).toBe('aaa:first');
    expect(features).toEqual(expect.arrayContaining([NS.discoInfo, NS.discoItems, NS.ping, NS.version, NS.time]));
    expect(features.filter((f) => f === NS.discoInfo)).toHaveLength(1);
    expect(identities(reply)).toEqual([{ category: 'server', type: 'im' }]);
  });

  it('XEP-0030 §3.2: a request for a node a module describes mirrors the node', async () => {
    core = await createInProcessCore({ modules: [...builtinModules, extra] });
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'n1', to: 'example.org' }, xml('query', { xmlns: NS.discoInfo, node: 'urn:test:node' })));
    const query = reply?.getChild('query', NS.discoInfo);
    expect(query?.attrs.node).toBe('urn:test:node');
    expect(identities(reply)).toEqual([{ category: 'automation', type: 'command-list', name: 'Commands' }]);
    expect(query?.getChildren('feature')).toHaveLength(0);
  });

  it('XEP-0030 §3.2: a request for an unknown node gets item-not-found', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'n2', to: 'example.org' }, xml('query', { xmlns: NS.discoInfo, node: 'urn:test:none' })));
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'n2' });
    expect(errorCondition(reply)).toBe('item-not-found');
  });

  it('XEP-0030 §3.1: the server answers for an existing account with account/registered (and XEP-0163 pubsub/pep)', async () => {
    core = await createInProcessCore();
    await core.accounts.create(parseJid('bob@example.org'), 'secret');
    const reply = await discoInfo(core, 'bob@example.org', 'alice@example.org/home');
    expect(reply?.attrs).toMatchObject({ type: 'result', from: 'bob@example.org', to: 'alice@example.org/home' });
    expect(identities(reply)).toEqual([{ category: 'account', type: 'registered' }, { category: 'pubsub', type: 'pep' }]);
  });

  it('XEP-0030 §3.1: a disco#info without a to address is answered for the sender\'s own account', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'self' }, xml('query', { xmlns: NS.discoInfo })));
    expect(reply?.attrs.type).toBe('result');
    expect(identities(reply)).toEqual([{ category: 'account', type: 'registered' }, { category: 'pubsub', type: 'pep' }]);
  });

  it('RFC 6121 §8.5.1: disco#info to an account that does not exist gets service-unavailable', async () => {
    core = await createInProcessCore();
    const reply = await discoInfo(core, 'nobody@example.org', 'alice@example.org/home');
    expect(reply?.attrs).toMatchObject({ type: 'error', from: 'nobody@example.org' });
    expect(errorCondition(reply)).toBe('service-unavailable');
  });

  it('XEP-0030 §4.1: disco#items on the server lists only its services (XEP-0363 upload, XEP-0045 rooms)', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'i1', to: 'example.org' }, xml('query', { xmlns: NS.discoItems })));
    expect(reply?.attrs).toMatchObject({ type: 'result', id: 'i1', from: 'example.org' });
    const query = reply?.getChild('query', NS.discoItems);
    expect(query).toBeDefined();
    expect(query?.getChildren('item').map((i) => i.attrs.jid).sort()).toEqual(['conference.example.org', 'upload.example.org']);
    expect(query?.children).toHaveLength(2);
  });

  it('XEP-0030 §4.2: disco#items for an unknown node gets item-not-found', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 'i2', to: 'example.org' }, xml('query', { xmlns: NS.discoItems, node: 'music' })));
    expect(errorCondition(reply)).toBe('item-not-found');
  });

  it('XEP-0030 §4.1: disco#items on an account: empty when it exists, service-unavailable when not', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [own] = await core.send(alice, xml('iq', { type: 'get', id: 'i3', to: 'alice@example.org' }, xml('query', { xmlns: NS.discoItems })));
    expect(own?.attrs.type).toBe('result');
    const [missing] = await core.send(alice, xml('iq', { type: 'get', id: 'i4', to: 'nobody@example.org' }, xml('query', { xmlns: NS.discoItems })));
    expect(errorCondition(missing)).toBe('service-unavailable');
  });

  it('XEP-0030 §3.1: disco#info set is not a disco request (service-unavailable)', async () => {
    core = await createInProcessCore();
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'set', id: 's1', to: 'example.org' }, xml('query', { xmlns: NS.discoInfo })));
    expect(errorCondition(reply)).toBe('service-unavailable');
  });
});
