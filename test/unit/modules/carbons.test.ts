import { afterEach, describe, expect, it } from 'vitest';
import { xml, type Element } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { builtinModules } from '../../../src/modules/index.js';
import { carbonsModule } from '../../../src/modules/carbons/index.js';
import { createInProcessCore, errorCondition, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';

let core: InProcessCore;
afterEach(async () => core.close());

async function start(): Promise<void> {
  core = await createInProcessCore({ modules: [...builtinModules.filter((m) => m.name !== carbonsModule.name), carbonsModule] });
}

let ids = 0;
function carbonsIq(action: 'enable' | 'disable', to?: string): Element {
  return xml('iq', { type: 'set', id: `c${++ids}`, to }, xml(action, { xmlns: NS_CARBONS }));
}

/** A bound, available resource, with carbons enabled when asked; its inbox starts empty. */
async function online(jid: string, options: { carbons?: boolean; priority?: number } = {}): Promise<FakeSession> {
  const session = await core.connect(jid);
  await core.send(session, xml('presence', null, options.priority === undefined ? null : xml('priority', null, String(options.priority))));
  if (options.carbons) await core.send(session, carbonsIq('enable'));
  return session;
}

function clear(...sessions: FakeSession[]): void {
  for (const session of sessions) session.sent.splice(0);
}

const messages = (session: FakeSession): Element[] => session.sent.filter((s) => s.name === 'message');
const carbons = (session: FakeSession, kind: 'sent' | 'received'): Element[] =>
  messages(session).filter((m) => m.getChild(kind, NS_CARBONS) !== undefined);
const forwarded = (carbon: Element | undefined, kind: 'sent' | 'received'): Element | undefined =>
  carbon?.getChild(kind, NS_CARBONS)?.getChild('forwarded', NS_FORWARD)?.getChild('message');

function chat(to: string, body: string, ...extra: Element[]): Element {
  return xml('message', { to, type: 'chat', id: `m${++ids}` }, xml('body', null, body), ...extra);
}

describe('XEP-0280 Message Carbons', () => {
  it('XEP-0280 §3: the server advertises urn:xmpp:carbons:2', async () => {
    await start();
    expect(await discoFeatures(core, 'example.org')).toContain(NS_CARBONS);
  });

  it('XEP-0280 §4: enabling answers an empty result from the bare JID and marks the session', async () => {
    await start();
    const romeo = await core.connect('romeo@example.org/garden');
    const [reply] = await core.send(romeo, carbonsIq('enable'));
    expect(reply?.attrs).toMatchObject({ type: 'result', from: 'romeo@example.org', to: 'romeo@example.org/garden' });
    expect(reply?.children).toHaveLength(0);
    expect((await core.sessions.byFullJid('romeo@example.org/garden'))?.flags.carbons).toBe('1');
  });

  it('XEP-0280 §5: disabling answers an empty result and unmarks the session', async () => {
    await start();
    const romeo = await online('romeo@example.org/garden', { carbons: true });
    const [reply] = await core.send(romeo, carbonsIq('disable'));
    expect(reply?.attrs.type).toBe('result');
    expect((await core.sessions.byFullJid('romeo@example.org/garden'))?.flags.carbons).toBeUndefined();
  });

  it('XEP-0280 §10.1: repeated enable and disable requests are no errors', async () => {
    await start();
    const romeo = await core.connect('romeo@example.org/garden');
    for (const action of ['enable', 'enable', 'disable', 'disable'] as const) {
      const [reply] = await core.send(romeo, carbonsIq(action, 'example.org'));
      expect(reply?.attrs.type).toBe('result');
    }
  });

  it("XEP-0280 §4.1: enabling another account's carbons is not-allowed", async () => {
    await start();
    const romeo = await core.connect('romeo@example.org/garden');
    const [reply] = await core.send(romeo, carbonsIq('enable', 'juliet@example.org'));
    expect(errorCondition(reply)).toBe('not-allowed');
  });

  it('XEP-0280 §7: a message to one resource is copied to the other carbons-enabled resource only', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    const garden = await online('romeo@example.org/garden', { carbons: true });
    const home = await online('romeo@example.org/home', { carbons: true });
    const phone = await online('romeo@example.org/phone');
    clear(garden, home, phone);

    await core.send(juliet, chat('romeo@example.org/garden', 'What man art thou?'));

    expect(messages(garden)).toHaveLength(1);
    expect(carbons(garden, 'received')).toHaveLength(0);
    expect(messages(phone)).toHaveLength(0);
    const [carbon] = carbons(home, 'received');
    expect(messages(home)).toHaveLength(1);
    expect(carbon?.attrs).toMatchObject({ from: 'romeo@example.org', to: 'romeo@example.org/home', type: 'chat' });
    const original = forwarded(carbon, 'received');
    // XEP-0297 §3.2: the forwarded stanza keeps the jabber:client namespace.
    expect(original?.attrs).toMatchObject({ xmlns: NS.client, from: 'juliet@example.org/balcony', to: 'romeo@example.org/garden', type: 'chat' });
    expect(original?.getChildText('body')).toBe('What man art thou?');
  });

  it('XEP-0280 §7: of a message to the bare JID, resources that got it under RFC 6121 get no carbon', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    const garden = await online('romeo@example.org/garden', { carbons: true, priority: 5 });
    const home = await online('romeo@example.org/home', { carbons: true, priority: 1 });
    clear(garden, home);

    await core.send(juliet, chat('romeo@example.org', 'Wherefore art thou?'));

    expect(messages(garden)).toHaveLength(1);
    expect(carbons(garden, 'received')).toHaveLength(0);
    expect(carbons(home, 'received')).toHaveLength(1);
    expect(messages(home)).toHaveLength(1);
  });

  it('XEP-0280 §5: a resource that disabled carbons gets no copies', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    const garden = await online('romeo@example.org/garden');
    const home = await online('romeo@example.org/home', { carbons: true });
    await core.send(home, carbonsIq('disable'));
    clear(garden, home);

    await core.send(juliet, chat('romeo@example.org/garden', 'Hello'));
    await core.send(home, chat('juliet@example.org/balcony', 'Hi'));
    await core.send(garden, chat('juliet@example.org/balcony', 'Hi'));

    expect(messages(home)).toHaveLength(0);
  });

  it('XEP-0280 §8: a sent message is copied to the other carbons-enabled resources, not to the sender', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    const garden = await online('romeo@example.org/garden', { carbons: true });
    // §8: copies are made "irrespective of whether the sending client has carbons enabled".
    const home = await online('romeo@example.org/home');
    const phone = await online('romeo@example.org/phone');
    clear(juliet, garden, home, phone);

    await core.send(home, chat('juliet@example.org/balcony', 'Neither, fair saint'));

    expect(messages(juliet)).toHaveLength(1);
    expect(messages(home)).toHaveLength(0);
    expect(messages(phone)).toHaveLength(0);
    const [carbon] = carbons(garden, 'sent');
    expect(messages(garden)).toHaveLength(1);
    expect(carbon?.attrs).toMatchObject({ from: 'romeo@example.org', to: 'romeo@example.org/garden', type: 'chat' });
    expect(forwarded(carbon, 'sent')?.attrs).toMatchObject({ xmlns: NS.client, from: 'romeo@example.org/home', to: 'juliet@example.org/balcony' });
  });

  it('XEP-0280 §7/§8: copies are made the same when the registry must be asked (no peek, as on a cluster)', async () => {
    await start();
    // The Redis registry answers only through byBareJid; this node's registry also answers at once.
    delete (core.sessions as { peekBareJid?: unknown }).peekBareJid;
    const juliet = await online('juliet@example.org/balcony');
    const tablet = await online('juliet@example.org/tablet', { carbons: true });
    const garden = await online('romeo@example.org/garden');
    const home = await online('romeo@example.org/home', { carbons: true });
    clear(juliet, tablet, garden, home);

    await core.send(juliet, chat('romeo@example.org/garden', 'Good night, good night!'));

    expect(messages(garden)).toHaveLength(1);
    expect(carbons(home, 'received')).toHaveLength(1);
    expect(carbons(tablet, 'sent')).toHaveLength(1);
    expect(forwarded(carbons(tablet, 'sent')[0], 'sent')?.attrs).toMatchObject({ from: 'juliet@example.org/balcony', to: 'romeo@example.org/garden' });
  });

  it('XEP-0280 §9: a message with <private/> is not copied by either server and is delivered as sent', async () => {
    await start();
    const balcony = await online('juliet@example.org/balcony');
    const tablet = await online('juliet@example.org/tablet', { carbons: true });
    const home = await online('romeo@example.org/home');
    const garden = await online('romeo@example.org/garden', { carbons: true });
    clear(balcony, tablet, home, garden);

    await core.send(home, chat('juliet@example.org/balcony', 'Secret', xml('private', { xmlns: NS_CARBONS })));

    expect(messages(garden)).toHaveLength(0);
    expect(messages(tablet)).toHaveLength(0);
    // 1.0 no longer asks the receiving server to strip the element.
    expect(messages(balcony)[0]?.getChild('private', NS_CARBONS)).toBeDefined();
  });

  it('XEP-0334 §4.3: a message with the no-copy hint is not copied', async () => {
    await start();
    const balcony = await online('juliet@example.org/balcony');
    const tablet = await online('juliet@example.org/tablet', { carbons: true });
    const home = await online('romeo@example.org/home');
    const garden = await online('romeo@example.org/garden', { carbons: true });
    clear(balcony, tablet, home, garden);

    await core.send(home, chat('juliet@example.org/balcony', 'Secret', xml('no-copy', { xmlns: 'urn:xmpp:hints' })));

    expect(messages(balcony)).toHaveLength(1);
    expect(messages(garden)).toHaveLength(0);
    expect(messages(tablet)).toHaveLength(0);
  });

  it('XEP-0280 §6: chat, normal with a body and IM payloads are copied; others are not', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    await online('romeo@example.org/garden');
    const home = await online('romeo@example.org/home', { carbons: true });
    const cases: Array<[Element, boolean]> = [
      [xml('message', { to: 'romeo@example.org/garden', type: 'chat' }, xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })), true],
      [xml('message', { to: 'romeo@example.org/garden' }, xml('body', null, 'normal')), true],
      [xml('message', { to: 'romeo@example.org/garden' }, xml('received', { xmlns: 'urn:xmpp:receipts', id: 'x' })), true],
      [xml('message', { to: 'romeo@example.org/garden' }, xml('x', { xmlns: 'jabber:x:conference', jid: 'room@muc.example.org' })), true],
      [xml('message', { to: 'romeo@example.org/garden' }, xml('subject', null, 'no body')), false],
      [xml('message', { to: 'romeo@example.org/garden', type: 'headline' }, xml('body', null, 'news')), false],
      [xml('message', { to: 'romeo@example.org/garden', type: 'error' }, xml('body', null, 'bounced')), false],
    ];
    for (const [message, copied] of cases) {
      clear(home);
      await core.send(juliet, message);
      expect(carbons(home, 'received'), message.toString()).toHaveLength(copied ? 1 : 0);
    }
  });

  it('XEP-0280 §6: a private message from a MUC occupant is not copied', async () => {
    await start();
    const occupant = await online('room@example.org/nurse');
    await online('romeo@example.org/garden');
    const home = await online('romeo@example.org/home', { carbons: true });
    clear(home);

    await core.send(occupant, chat('romeo@example.org/garden', 'psst', xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' })));

    expect(messages(home)).toHaveLength(0);
  });

  it('XEP-0280 §6: a carbon is never copied again', async () => {
    await start();
    const juliet = await online('juliet@example.org/balcony');
    await online('romeo@example.org/garden');
    const home = await online('romeo@example.org/home', { carbons: true });
    clear(home);

    await core.send(juliet, chat('romeo@example.org/garden', 'fake', xml('received', { xmlns: NS_CARBONS })));

    expect(messages(home)).toHaveLength(0);
  });

  it("XEP-0280 §7/§8: between the account's own resources each other resource gets one copy", async () => {
    await start();
    const home = await online('romeo@example.org/home', { carbons: true });
    const garden = await online('romeo@example.org/garden', { carbons: true });
    const phone = await online('romeo@example.org/phone', { carbons: true });
    clear(home, garden, phone);

    await core.send(home, chat('romeo@example.org/garden', 'note to self'));

    expect(messages(home)).toHaveLength(0);
    expect(messages(garden)).toHaveLength(1);
    expect(carbons(garden, 'sent')).toHaveLength(0);
    expect(messages(phone)).toHaveLength(1);
    expect(forwarded(carbons(phone, 'sent')[0], 'sent')?.attrs).toMatchObject({ from: 'romeo@example.org/home', to: 'romeo@example.org/garden' });
  });
});
