import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { parseJid } from '../../../src/protocol/jid.js';
import type { CapsQueryEvent } from '../../../src/core/events.js';
import { builtinModules } from '../../../src/modules/index.js';
import { capsModule } from '../../../src/modules/caps/index.js';
import { computeVer } from '../../../src/modules/caps/verification.js';
import { createInProcessCore, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';

const NS_CAPS = 'http://jabber.org/protocol/caps';
const NODE = 'http://code.google.com/p/exodus';
// XEP-0115 §5.2, the simple generation example.
const EXODUS_VER = 'QgayPKawpkPSDYmwT/WM94uAlu0=';
const EXODUS_FEATURES = [
  'http://jabber.org/protocol/caps',
  'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/disco#items',
  'http://jabber.org/protocol/muc',
];

function discoQuery(features: readonly string[], ...extra: Element[]): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo, node: `${NODE}#${EXODUS_VER}` },
    xml('identity', { category: 'client', type: 'pc', name: 'Exodus 0.9.1' }),
    ...features.map((f) => xml('feature', { var: f })),
    ...extra,
  );
}

function field(name: string, values: string[], type?: string): Element {
  return xml('field', { var: name, type }, ...values.map((v) => xml('value', null, v)));
}

function form(formType: string | undefined, ...fields: Element[]): Element {
  return xml('x', { xmlns: 'jabber:x:data', type: 'result' }, formType === undefined ? null : field('FORM_TYPE', [formType], 'hidden'), ...fields);
}

let current: InProcessCore | undefined;
let logged: Array<{ msg?: string }>;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function start(options: Record<string, unknown> = {}): Promise<InProcessCore> {
  logged = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line) as { msg?: string }) });
  return (current = await createInProcessCore({
    log,
    modules: [...builtinModules.filter((m) => m.name !== capsModule.name), capsModule],
    moduleConfig: { caps: { enabled: true, options } },
  }));
}

const capsPresence = (ver: string, hash: string | null = 'sha-1'): Element =>
  xml('presence', null, xml('c', { xmlns: NS_CAPS, hash, node: NODE, ver }));

const discoRequests = (session: FakeSession): Element[] =>
  session.sent.filter((s) => s.name === 'iq' && s.attrs.type === 'get' && s.getChild('query', NS.discoInfo));

async function answer(core: InProcessCore, session: FakeSession, request: Element | undefined, query: Element): Promise<void> {
  await core.send(session, xml('iq', { type: 'result', id: request?.attrs.id, to: request?.attrs.from }, query));
}

async function capsFlag(core: InProcessCore, jid: string): Promise<string | undefined> {
  return (await core.sessions.byFullJid(jid))?.flags.caps;
}

const waitForLog = (msg: string): Promise<void> => vi.waitFor(() => expect(logged.map((l) => l.msg)).toContain(msg));

describe('XEP-0115 §5 verification string', () => {
  it('XEP-0115 §5.2: the simple generation example hashes to its ver', () => {
    expect(computeVer(discoQuery(EXODUS_FEATURES), 'sha-1')).toBe(EXODUS_VER);
  });

  it('XEP-0115 §5.3: the complex example with identities in two languages and a form hashes to its ver', () => {
    const query = xml(
      'query',
      { xmlns: NS.discoInfo },
      xml('identity', { 'xml:lang': 'en', category: 'client', name: 'Psi 0.11', type: 'pc' }),
      xml('identity', { 'xml:lang': 'el', category: 'client', name: 'Ψ 0.11', type: 'pc' }),
      ...EXODUS_FEATURES.map((f) => xml('feature', { var: f })),
      form(
        'urn:xmpp:dataforms:softwareinfo',
        field('ip_version', ['ipv4', 'ipv6']),
        field('os', ['Mac']),
        field('os_version', ['10.5.1']),
        field('software', ['Psi']),
        field('software_version', ['0.11']),
      ),
    );
    expect(computeVer(query, 'sha-1')).toBe('q07IKJEyjvHSyhy//CH0CxmKi8w=');
  });

  it('XEP-0115 §5.4: duplicate identities, duplicate features or duplicate forms make a response ill-formed', () => {
    const identity = xml('identity', { category: 'client', type: 'pc', name: 'Exodus 0.9.1' });
    expect(computeVer(discoQuery(EXODUS_FEATURES, identity), 'sha-1')).toBeUndefined();
    expect(computeVer(discoQuery([...EXODUS_FEATURES, 'http://jabber.org/protocol/muc']), 'sha-1')).toBeUndefined();
    expect(computeVer(discoQuery(EXODUS_FEATURES, form('urn:a'), form('urn:a')), 'sha-1')).toBeUndefined();
  });

  it('XEP-0115 §5.4: a form without a hidden FORM_TYPE is left out of the hash', () => {
    const visible = xml('x', { xmlns: 'jabber:x:data', type: 'result' }, field('FORM_TYPE', ['urn:a']), field('os', ['Mac']));
    expect(computeVer(discoQuery(EXODUS_FEATURES, visible, form(undefined, field('os', ['Mac']))), 'sha-1')).toBe(EXODUS_VER);
  });
});

describe('XEP-0115 Entity Capabilities (server side)', () => {
  it('XEP-0115 §6.2/§5.4: an unknown ver is queried from the client, verified, stored and recorded', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));

    const [request] = discoRequests(romeo);
    expect(request?.attrs).toMatchObject({ from: 'example.org', to: 'romeo@example.org/orchard' });
    expect(request?.getChild('query', NS.discoInfo)?.attrs.node).toBe(`${NODE}#${EXODUS_VER}`);

    await answer(core, romeo, request, discoQuery(EXODUS_FEATURES));
    await vi.waitFor(async () => expect(await capsFlag(core, 'romeo@example.org/orchard')).toBe(EXODUS_VER));
    expect(JSON.parse((await core.storage.kv.get('caps', EXODUS_VER)) ?? 'null')).toEqual(EXODUS_FEATURES);
  });

  it('XEP-0115 §5.4: a feature list that does not hash to the ver fails verification and is not stored', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));
    await answer(core, romeo, discoRequests(romeo)[0], discoQuery(EXODUS_FEATURES.slice(0, 3)));

    await waitForLog('caps: verification failed');
    expect(await core.storage.kv.get('caps', EXODUS_VER)).toBeUndefined();
    expect(await capsFlag(core, 'romeo@example.org/orchard')).toBeUndefined();
  });

  it('XEP-0115 §5.4: a second session announcing a verified ver is not queried again', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));
    await answer(core, romeo, discoRequests(romeo)[0], discoQuery(EXODUS_FEATURES));
    await vi.waitFor(async () => expect(await capsFlag(core, 'romeo@example.org/orchard')).toBe(EXODUS_VER));

    const nurse = await core.connect('nurse@example.org/chamber');
    await core.send(nurse, capsPresence(EXODUS_VER));
    expect(discoRequests(nurse)).toHaveLength(0);
    expect(await capsFlag(core, 'nurse@example.org/chamber')).toBe(EXODUS_VER);
  });

  it('XEP-0115 §5.4: sessions announcing a ver already being queried share that query', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    const nurse = await core.connect('nurse@example.org/chamber');
    await core.send(romeo, capsPresence(EXODUS_VER));
    await core.send(nurse, capsPresence(EXODUS_VER));
    expect(discoRequests(nurse)).toHaveLength(0);

    await answer(core, romeo, discoRequests(romeo)[0], discoQuery(EXODUS_FEATURES));
    await vi.waitFor(async () => expect(await capsFlag(core, 'nurse@example.org/chamber')).toBe(EXODUS_VER));
  });

  it('XEP-0115 §5.1: a sha-256 verification string is verified too', async () => {
    const core = await start();
    const s = 'client/pc//Exodus 0.9.1<' + EXODUS_FEATURES.map((f) => `${f}<`).join('');
    const ver = createHash('sha256').update(s, 'utf8').digest('base64');
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(ver, 'sha-256'));
    await answer(core, romeo, discoRequests(romeo)[0], discoQuery(EXODUS_FEATURES));
    await vi.waitFor(async () => expect(await capsFlag(core, 'romeo@example.org/orchard')).toBe(ver));
  });

  it('XEP-0115 §5.4: legacy caps without a hash, and unsupported hashes, are ignored', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence('0.9', null));
    await core.send(romeo, capsPresence(EXODUS_VER, 'md5'));
    expect(discoRequests(romeo)).toHaveLength(0);
  });

  it('XEP-0115 §6.2: a client that never answers times out; the failure is only logged', async () => {
    const core = await start({ queryTimeoutMs: 20 });
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));
    expect(romeo.available).toBe(true);
    await waitForLog('caps: disco#info query failed');
    expect(await capsFlag(core, 'romeo@example.org/orchard')).toBeUndefined();
  });

  it('XEP-0115 §6.2: a client answering with an error is logged and nothing is recorded', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));
    const [request] = discoRequests(romeo);
    await core.send(romeo, xml('iq', { type: 'error', id: request?.attrs.id, to: request?.attrs.from }, xml('error', { type: 'cancel' })));
    await waitForLog('caps: client did not answer disco#info');
    expect(await core.storage.kv.get('caps', EXODUS_VER)).toBeUndefined();
  });

  it('XEP-0115 §6.2: caps/query answers true, false, or leaves the question open', async () => {
    const core = await start();
    const romeo = await core.connect('romeo@example.org/orchard');
    await core.send(romeo, capsPresence(EXODUS_VER));
    await answer(core, romeo, discoRequests(romeo)[0], discoQuery(EXODUS_FEATURES));
    await vi.waitFor(async () => expect(await capsFlag(core, 'romeo@example.org/orchard')).toBe(EXODUS_VER));

    const ask = async (jid: string, feature: string): Promise<[boolean, boolean | undefined]> => {
      const event: CapsQueryEvent = { jid: parseJid(jid), feature };
      return [await core.events.fire('caps/query', event), event.supported];
    };
    expect(await ask('romeo@example.org/orchard', 'http://jabber.org/protocol/muc')).toEqual([true, true]);
    expect(await ask('romeo@example.org/orchard', 'urn:xmpp:jingle:1')).toEqual([true, false]);
    expect(await ask('romeo@example.org/elsewhere', 'http://jabber.org/protocol/muc')).toEqual([false, undefined]);
  });
});
