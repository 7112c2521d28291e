// XEP-0215 External Service Discovery over real sockets: STUN/TURN servers from the module's
// options, TURN REST credentials checked against an HMAC computed here, and no announcement at
// all from a server that has none configured.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';

const EXTDISCO = 'urn:xmpp:extdisco:2';
const SECRET = 'turn-shared-secret-for-tests';
const TTL = 600;
const yaml = [
  'modules:',
  '  external-services:',
  '    options:',
  `      secret: ${SECRET}`,
  `      ttlSeconds: ${TTL}`,
  '      services:',
  '        - { type: stun, host: stun.example.net, port: 3478, transport: udp }',
  '        - { type: turn, host: turn.example.net, port: 3478, transport: udp }',
  '        - { type: turns, host: turn.example.net, port: 5349, transport: tcp }',
].join('\n');

let configured: ServerProcess;
let bare: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  [configured, bare] = await Promise.all([ServerProcess.start({ extraYaml: yaml }), ServerProcess.start()]);
  await Promise.all([configured.addUser('alice@localhost', 'pw'), bare.addUser('alice@localhost', 'pw')]);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await Promise.all([configured?.stop(), bare?.stop()]);
  configured?.cleanup();
  bare?.cleanup();
});

async function ask(server: ServerProcess, payload: string): Promise<Element> {
  const { client } = await login(server.ports.c2s, 'alice', 'pw');
  open.push(client);
  const id = `q-${Math.random().toString(36).slice(2)}`;
  client.send(`<iq type='get' id='${id}' to='localhost'>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

/** The TURN server's side of the REST scheme, computed independently of Herald. */
function checkCredentials(service: Element, before: number): void {
  const { username, password, expires } = service.attrs as Record<string, string>;
  const [expiry, user] = username!.split(':');
  expect(user).toBe('alice@localhost');
  expect(Number(expiry)).toBeGreaterThanOrEqual(Math.floor(before / 1000) + TTL);
  expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + TTL);
  expect(Date.parse(expires!)).toBe(Number(expiry) * 1000);
  expect(password).toBe(createHmac('sha1', SECRET).update(username!).digest('base64'));
}

describe('XEP-0215 external service discovery', () => {
  it('XEP-0215 §5: advertised in disco#info only when services are configured', async () => {
    const features = async (server: ServerProcess) =>
      (await ask(server, `<query xmlns='http://jabber.org/protocol/disco#info'/>`)).getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    expect(await features(configured)).toContain(EXTDISCO);
    expect(await features(bare)).not.toContain(EXTDISCO);
    const answer = await ask(bare, `<services xmlns='${EXTDISCO}'/>`);
    expect(answer.attrs.type).toBe('error');
    expect(answer.getChild('error')!.getChild('service-unavailable')).toBeDefined();
  });

  it('XEP-0215 §3.1: all services, TURN with TURN REST credentials an independent HMAC confirms', async () => {
    const before = Date.now();
    const answer = await ask(configured, `<services xmlns='${EXTDISCO}'/>`);
    expect(answer.attrs.type).toBe('result');
    const services = answer.getChild('services', EXTDISCO)!.getChildren('service');
    expect(services.map((s) => `${s.attrs.type} ${s.attrs.host}:${s.attrs.port}/${s.attrs.transport}`)).toEqual([
      'stun stun.example.net:3478/udp',
      'turn turn.example.net:3478/udp',
      'turns turn.example.net:5349/tcp',
    ]);
    expect(services[0]!.attrs.username).toBeUndefined(); // STUN needs no credentials
    expect(services[0]!.attrs.restricted).toBeUndefined();
    for (const turn of services.slice(1)) {
      expect(turn.attrs.restricted).toBe('1');
      checkCredentials(turn, before);
    }
  });

  it('XEP-0215 §3.2: a type filter returns only that type', async () => {
    const answer = await ask(configured, `<services xmlns='${EXTDISCO}' type='stun'/>`);
    const services = answer.getChild('services', EXTDISCO)!.getChildren('service');
    expect(services.map((s) => s.attrs.type)).toEqual(['stun']);
    expect(answer.getChild('services', EXTDISCO)!.attrs.type).toBe('stun');
  });

  it('XEP-0215 §3.3: credentials for one service; an unknown one is item-not-found', async () => {
    const before = Date.now();
    const answer = await ask(configured, `<credentials xmlns='${EXTDISCO}'><service host='turn.example.net' type='turns'/></credentials>`);
    const service = answer.getChild('credentials', EXTDISCO)!.getChild('service')!;
    expect(service.attrs.type).toBe('turns');
    expect(service.attrs.port).toBe('5349');
    checkCredentials(service, before);
    const unknown = await ask(configured, `<credentials xmlns='${EXTDISCO}'><service host='elsewhere.example' type='turn'/></credentials>`);
    expect(unknown.getChild('error')!.getChild('item-not-found')).toBeDefined();
    expect(unknown.getChild('error')!.getChildText('text')).toMatch(/elsewhere\.example/);
  });
});
