import { afterEach, describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { parseJid } from '../../../src/protocol/jid.js';
import type { DomainConfig } from '../../../src/config/types.js';
import { createInProcessCore, errorCondition, type FakePreAuthStream, type InProcessCore, type InProcessCoreOptions } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

const OPEN: DomainConfig = { name: 'open.example', registration: { enabled: true } };
const CLOSED: DomainConfig = { name: 'closed.example', registration: { enabled: false } };

let core: InProcessCore;
afterEach(async () => core.close());

const start = (options: InProcessCoreOptions = {}) => createInProcessCore({ domains: [OPEN, CLOSED], ...options });

function registerIq(type: 'get' | 'set', id: string, ...fields: Element[]): Element {
  return xml('iq', { type, id }, xml('query', { xmlns: NS.register }, ...fields));
}

const credentials = (username: string, password: string) => [xml('username', null, username), xml('password', null, password)];

async function preAuth(stream: FakePreAuthStream, domain: string, stanza: Element): Promise<Element | undefined> {
  const before = stream.sent.length;
  expect(await core.sendUnauthenticated(stream, domain, stanza)).toBe(true);
  expect(stream.sent.length).toBe(before + 1);
  return stream.sent.at(-1);
}

describe('XEP-0077 before login', () => {
  it('XEP-0077 §8: the register stream feature is offered before login on enabled domains only', async () => {
    core = await start();
    const names = (features: Element[]) => features.map((f) => `${f.name} ${f.attrs.xmlns}`);
    // Only the XEP-0077 feature is this module's (the invites module offers XEP-0445's register features everywhere).
    const iqRegister = (features: Element[]) => names(features).filter((n) => n === `register ${NS.registerFeature}`);
    expect(iqRegister(await core.features('pre-auth', 'open.example'))).toEqual([`register ${NS.registerFeature}`]);
    expect(iqRegister(await core.features('pre-auth', 'closed.example'))).toEqual([]);
    expect(names(await core.features('post-auth', 'open.example'))).not.toContain(`register ${NS.registerFeature}`);
  });

  it('XEP-0077 §3.1: a get returns the registration fields, answered with type and id only', async () => {
    core = await start();
    const reply = await preAuth(core.preAuthStream(), 'open.example', registerIq('get', 'reg1'));
    expect(reply?.attrs).toEqual({ type: 'result', id: 'reg1' });
    const query = reply?.getChild('query', NS.register);
    expect(query?.getChildText('instructions')).toMatch(/\S/);
    expect(query?.getChild('username')?.children).toEqual([]);
    expect(query?.getChild('password')?.children).toEqual([]);
    expect(query?.getChild('registered')).toBeUndefined();
  });

  it('XEP-0077 §3.1: a set with username and password creates the account', async () => {
    core = await start();
    const reply = await preAuth(core.preAuthStream(), 'open.example', registerIq('set', 'reg2', ...credentials('Bill', 'Calliope')));
    expect(reply?.attrs).toEqual({ type: 'result', id: 'reg2' });
    expect(reply?.children).toEqual([]);
    expect(await core.accounts.verify(parseJid('bill@open.example'), 'Calliope')).toBe(true);
  });

  it('XEP-0077 §3.1: registering a taken username gets conflict, without the password echoed', async () => {
    core = await start();
    await core.accounts.create(parseJid('bill@open.example'), 'first');
    const reply = await preAuth(core.preAuthStream(), 'open.example', registerIq('set', 'reg3', ...credentials('bill', 'm1cro$oft')));
    expect(reply?.attrs).toMatchObject({ type: 'error', id: 'reg3' });
    expect(errorCondition(reply)).toBe('conflict');
    expect(reply?.toString()).not.toContain('m1cro$oft');
    expect(await core.accounts.verify(parseJid('bill@open.example'), 'first')).toBe(true);
  });

  it.each([
    ['a missing password', [xml('username', null, 'bill')]],
    ['an empty password', [xml('username', null, 'bill'), xml('password')]],
    ['a missing username', [xml('password', null, 'secret')]],
    ['an invalid username', credentials('bill@home', 'secret')],
    ['a username with a space', credentials('bill gates', 'secret')],
  ])('XEP-0077 §3.1: %s gets not-acceptable and creates nothing', async (_, fields) => {
    core = await start();
    const reply = await preAuth(core.preAuthStream(), 'open.example', registerIq('set', 'bad', ...fields));
    expect(errorCondition(reply)).toBe('not-acceptable');
    expect(await core.accounts.list('open.example')).toEqual([]);
  });

  it('XEP-0077 §3.1: a domain with registration disabled answers service-unavailable', async () => {
    core = await start();
    const stream = core.preAuthStream();
    const get = await preAuth(stream, 'closed.example', registerIq('get', 'c1'));
    expect(errorCondition(get)).toBe('service-unavailable');
    const set = await preAuth(stream, 'closed.example', registerIq('set', 'c2', ...credentials('bill', 'secret')));
    expect(set?.attrs).toMatchObject({ type: 'error', id: 'c2' });
    expect(errorCondition(set)).toBe('service-unavailable');
    expect(await core.accounts.exists(parseJid('bill@closed.example'))).toBe(false);
  });

  it('XEP-0077 §3.2: a remove before login gets unexpected-request', async () => {
    core = await start();
    const reply = await preAuth(core.preAuthStream(), 'open.example', registerIq('set', 'u0', xml('remove')));
    expect(errorCondition(reply)).toBe('unexpected-request');
  });

  it('stanzas other than registration IQs are left to the core before login', async () => {
    core = await start();
    const stream = core.preAuthStream();
    expect(await core.sendUnauthenticated(stream, 'open.example', xml('message', { to: 'bill@open.example' }, xml('body', null, 'hi')))).toBe(false);
    expect(await core.sendUnauthenticated(stream, 'open.example', xml('iq', { type: 'get', id: 'x' }, xml('ping', { xmlns: NS.ping })))).toBe(false);
    expect(stream.sent).toEqual([]);
  });

  it('XEP-0077 §3.1.1: account creation is limited per remote address per minute', async () => {
    core = await start({ moduleConfig: { register: { enabled: true, options: { perAddressPerMinute: 2 } } } });
    const create = (address: string, name: string) => preAuth(core.preAuthStream(address), 'open.example', registerIq('set', name, ...credentials(name, 'secret-pw')));
    expect((await create('198.51.100.7', 'one'))?.attrs.type).toBe('result');
    expect((await create('198.51.100.7', 'two'))?.attrs.type).toBe('result');
    const limited = await create('198.51.100.7', 'three');
    expect(errorCondition(limited)).toBe('resource-constraint');
    expect(limited?.getChild('error')?.attrs.type).toBe('wait');
    expect(await core.accounts.exists(parseJid('three@open.example'))).toBe(false);
    expect((await create('198.51.100.8', 'four'))?.attrs.type).toBe('result');
    core.clock.advance(60_000);
    expect((await create('198.51.100.7', 'five'))?.attrs.type).toBe('result');
  });

  it('XEP-0077 §3.1.1: the default limit is five accounts a minute', async () => {
    core = await start();
    const stream = core.preAuthStream('198.51.100.9');
    for (let i = 1; i <= 5; i++) {
      expect((await preAuth(stream, 'open.example', registerIq('set', `r${i}`, ...credentials(`user${i}`, 'secret-pw'))))?.attrs.type).toBe('result');
    }
    expect(errorCondition(await preAuth(stream, 'open.example', registerIq('set', 'r6', ...credentials('user6', 'secret-pw'))))).toBe('resource-constraint');
  });
});

describe('XEP-0077 and auth.minPasswordLength', () => {
  it('XEP-0077 §3.1: a password shorter than the minimum gets not-acceptable naming the rule, and no account', async () => {
    core = await start();
    const reply = await preAuth(core.preAuthStream('198.51.100.20'), 'open.example', registerIq('set', 'm1', ...credentials('shorty', 'seven77')));
    expect(errorCondition(reply)).toBe('not-acceptable');
    expect(reply?.getChild('error')?.getChildText('text', NS.stanzas)).toBe('the password must be at least 8 characters long (auth.minPasswordLength); this one has 7');
    expect(reply?.toString()).not.toContain('seven77');
    expect(await core.accounts.exists(parseJid('shorty@open.example'))).toBe(false);
  });

  it('XEP-0077 §3.3: a password change to a too-short password is refused and the old one stays', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, xml('iq', { type: 'set', id: 'm2', to: 'open.example' }, xml('query', { xmlns: NS.register }, ...credentials('bill', 'short'))));
    expect(errorCondition(reply)).toBe('not-acceptable');
    expect(await core.accounts.verify(bill.jid.bare, 'old')).toBe(true);
  });
});

describe('XEP-0077 after login', () => {
  const change = (username: string, password: string, to?: string) => xml('iq', { type: 'set', id: 'change1', to }, xml('query', { xmlns: NS.register }, ...credentials(username, password)));

  it('XEP-0077 §3.3: a user changes the password, and only the new one verifies', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, change('bill', 'new-password', 'open.example'));
    expect(reply?.attrs).toMatchObject({ type: 'result', id: 'change1', from: 'open.example', to: 'bill@open.example/globe' });
    expect(await core.accounts.verify(bill.jid.bare, 'new-password')).toBe(true);
    expect(await core.accounts.verify(bill.jid.bare, 'old')).toBe(false);
  });

  it('XEP-0077 §3.3: a password change without a to address works for the own account', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, change('bill', 'new-password'));
    expect(reply?.attrs.type).toBe('result');
    expect(await core.accounts.verify(bill.jid.bare, 'new-password')).toBe(true);
  });

  it("XEP-0077 §3.3: another account's username gets not-authorized and no password is echoed", async () => {
    core = await start();
    await core.accounts.create(parseJid('alice@open.example'), 'alice-pass');
    const bill = await core.connect('bill@open.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, change('alice', 'stolen', 'open.example'));
    expect(errorCondition(reply)).toBe('not-authorized');
    expect(reply?.toString()).not.toContain('stolen');
    expect(await core.accounts.verify(parseJid('alice@open.example'), 'alice-pass')).toBe(true);
    expect(await core.accounts.verify(bill.jid.bare, 'old')).toBe(true);
  });

  it('XEP-0077 §3.3: an empty password gets bad-request and the old password stays', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, xml('iq', { type: 'set', id: 'e1', to: 'open.example' }, xml('query', { xmlns: NS.register }, xml('username', null, 'bill'), xml('password'))));
    expect(errorCondition(reply)).toBe('bad-request');
    expect(await core.accounts.verify(bill.jid.bare, 'old')).toBe(true);
  });

  it('XEP-0077 §3.3: with registration disabled a password change gets service-unavailable', async () => {
    core = await start();
    const bill = await core.connect('bill@closed.example/globe', { password: 'old' });
    const [reply] = await core.send(bill, change('bill', 'newpass', 'closed.example'));
    expect(errorCondition(reply)).toBe('service-unavailable');
    expect(await core.accounts.verify(bill.jid.bare, 'old')).toBe(true);
  });

  it("XEP-0077 §3.3: nobody can change a password through someone else's bare JID", async () => {
    core = await start();
    await core.accounts.create(parseJid('alice@open.example'), 'alice-pass');
    const bill = await core.connect('bill@open.example/globe');
    const [reply] = await core.send(bill, change('alice', 'stolen', 'alice@open.example'));
    expect(errorCondition(reply)).toBe('service-unavailable');
    expect(await core.accounts.verify(parseJid('alice@open.example'), 'alice-pass')).toBe(true);
  });

  it('XEP-0077 §3.1: a logged-in user asking for the fields sees <registered/> and the username', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe');
    const [reply] = await core.send(bill, xml('iq', { type: 'get', id: 'g1', to: 'open.example' }, xml('query', { xmlns: NS.register })));
    const query = reply?.getChild('query', NS.register);
    expect(query?.getChild('registered')).toBeDefined();
    expect(query?.getChildText('username')).toBe('bill');
    expect(query?.getChildText('password')).toBe('');
  });

  it('XEP-0077 §3.2: remove deletes the account, answers, then closes every session with not-authorized', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe');
    const other = await core.connect('bill@open.example/home');
    const replies = await core.send(bill, registerIq('set', 'unreg1', xml('remove')));
    expect(replies[0]?.attrs).toMatchObject({ type: 'result', id: 'unreg1', to: 'bill@open.example/globe' });
    expect(bill.sentBeforeClose).toBe(1);
    expect(bill.closedWith?.condition).toBe('not-authorized');
    expect(other.closedWith?.condition).toBe('not-authorized');
    expect(await core.accounts.exists(bill.jid.bare)).toBe(false);
  });

  it('XEP-0077 §3.2: <remove/> that is not the only child gets bad-request and keeps the account', async () => {
    core = await start();
    const bill = await core.connect('bill@open.example/globe');
    const [reply] = await core.send(bill, registerIq('set', 'unreg2', xml('remove'), xml('username', null, 'bill')));
    expect(errorCondition(reply)).toBe('bad-request');
    expect(bill.closedWith).toBeUndefined();
    expect(await core.accounts.exists(bill.jid.bare)).toBe(true);
  });

  it('XEP-0077 §3.2: with registration disabled remove gets service-unavailable', async () => {
    core = await start();
    const bill = await core.connect('bill@closed.example/globe');
    const remove = xml('iq', { type: 'set', id: 'unreg3', to: 'closed.example' }, xml('query', { xmlns: NS.register }, xml('remove')));
    const [reply] = await core.send(bill, remove);
    expect(errorCondition(reply)).toBe('service-unavailable');
    expect(await core.accounts.exists(bill.jid.bare)).toBe(true);
  });

  it('XEP-0077 (Determining Support): jabber:iq:register is in disco#info of enabled domains only', async () => {
    core = await start();
    expect(await discoFeatures(core, 'open.example')).toContain(NS.register);
    expect(await discoFeatures(core, 'closed.example')).not.toContain(NS.register);
  });
});
