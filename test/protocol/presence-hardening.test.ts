// Issue 13 over real sockets: bounded pending subscription requests (item 2), forged XEP-0203
// delay stamps (item 9), the presence of an account's other resources (item 10) and the limit on
// roster groups per item.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { errorOf } from '../harness/federation.js';
import { getRoster, nextMessage, nextPresence, nextPush, nothingBefore } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const NS_DELAY = 'urn:xmpp:delay';
const NS_NICK = 'http://jabber.org/protocol/nick';
const MAX_PENDING = 3;
const MAX_PENDING_BYTES = 4096;
const MAX_GROUPS = 4;

let server: ServerProcess;
const open: XmlClient[] = [];

async function session(user: string, resource: string, options: { presence?: boolean } = {}) {
  const s = await login(server.ports.c2s, user, `${user}-pw`, resource);
  open.push(s.client);
  await getRoster(s.client);
  if (options.presence !== false) {
    s.client.send('<presence/>');
    await nextPresence(s.client, s.jid);
  }
  return s;
}

const isSubscribe = (el: Element) => el.name === 'presence' && el.attrs.type === 'subscribe';
const delays = (el: Element) => el.getChildren('delay', NS_DELAY);

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: [
      'modules:',
      '  roster:',
      '    options:',
      `      maxPendingRequests: ${MAX_PENDING}`,
      `      maxPendingRequestBytes: ${MAX_PENDING_BYTES}`,
      `      maxGroupsPerItem: ${MAX_GROUPS}`,
    ].join('\n'),
  });
  const users = ['target', 'asker1', 'asker2', 'asker3', 'asker4', 'big', 'bigtarget', 'forger', 'reader', 'sleeper', 'multi', 'grouper'];
  for (const user of users) await server.addUser(`${user}@localhost`, `${user}-pw`);
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('pending subscription requests are bounded (issue 13 item 2)', () => {
  it('RFC 6121 §3.1.3: requests beyond maxPendingRequests are refused with resource-constraint; a repeat replaces', async () => {
    const askers = [];
    for (const name of ['asker1', 'asker2', 'asker3', 'asker4']) askers.push(await session(name, 'r'));
    for (const [index, asker] of askers.entries()) {
      asker.client.send(`<presence to='target@localhost' type='subscribe' id='sub-${index}'><status>from ${index}</status></presence>`);
      await nextPush(asker.client, 'target@localhost');
    }
    const refused = await askers[3]!.client.next((el) => el.name === 'presence' && el.attrs.type === 'error');
    expect(refused.attrs.from).toBe('target@localhost');
    expect(refused.attrs.id).toBe('sub-3');
    expect(refused.getChild('error')?.attrs.type).toBe('wait');
    expect(errorOf(refused)).toEqual({ condition: 'resource-constraint', text: expect.stringContaining(`${MAX_PENDING} subscription requests`) });
    for (const asker of askers.slice(0, 3)) expect(await nothingBefore(asker.client, (el) => el.attrs.type === 'error')).toBe(true);

    // The same contact asking again replaces its request: no refusal, no second entry.
    askers[0]!.client.send("<presence to='target@localhost' type='subscribe' id='again'><status>asking again</status></presence>");
    expect(await nothingBefore(askers[0]!.client, (el) => el.attrs.type === 'error')).toBe(true);

    const target = await session('target', 'home', { presence: false });
    target.client.send('<presence/>');
    await nextPresence(target.client, target.jid);
    expect(await nothingBefore(target.client, () => false)).toBe(true);
    const requests = target.client.inbox.filter(isSubscribe);
    expect(requests.map((el) => el.attrs.from).sort()).toEqual(['asker1@localhost', 'asker2@localhost', 'asker3@localhost']);
    expect(requests.find((el) => el.attrs.from === 'asker1@localhost')?.getChildText('status')).toBe('asking again');
    for (const asker of askers) asker.client.destroy();
    target.client.destroy();
  });

  it('RFC 6121 §3.1.3 / XEP-0172: a stored request keeps its nick and a trimmed status, not the whole stanza', async () => {
    const big = await session('big', 'r');
    const status = 'x'.repeat(20_000);
    big.client.send(
      `<presence to='bigtarget@localhost' type='subscribe'><status>${status}</status><nick xmlns='${NS_NICK}'>Big One</nick><junk xmlns='urn:example:junk'>${'y'.repeat(20_000)}</junk></presence>`,
    );
    await nextPush(big.client, 'bigtarget@localhost');
    expect(await nothingBefore(big.client, (el) => el.attrs.type === 'error')).toBe(true);

    const target = await session('bigtarget', 'home', { presence: false });
    target.client.send('<presence/>');
    const request = await target.client.next(isSubscribe);
    expect(request.attrs.from).toBe('big@localhost');
    expect(request.getChildText('nick', NS_NICK)).toBe('Big One');
    const stored = request.getChildText('status') ?? '';
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThanOrEqual(1024);
    expect(request.getChild('junk')).toBeUndefined();
    expect(request.toString().length).toBeLessThan(MAX_PENDING_BYTES);
    big.client.destroy();
    target.client.destroy();
  });
});

describe('XEP-0203 delay stamps (issue 13 item 9)', () => {
  it('XEP-0203 §5: a recipient never sees a delay a client forged in the name of this server', async () => {
    const forger = await session('forger', 'f');
    const reader = await session('reader', 'r');
    forger.client.send(
      `<message to='${reader.jid}' id='forged-1' type='chat'><body>hi</body>` +
        `<delay xmlns='${NS_DELAY}' from='localhost' stamp='2001-01-01T00:00:00Z'>Offline Storage</delay>` +
        `<delay xmlns='${NS_DELAY}' from='reader@localhost' stamp='2001-01-01T00:00:00Z'/>` +
        `<delay xmlns='${NS_DELAY}' stamp='2020-02-02T00:00:00Z'/></message>`,
    );
    const got = await nextMessage(reader.client, (el) => el.attrs.id === 'forged-1');
    // Only the sender's own claim (no 'from') survives.
    expect(delays(got).map((d) => d.attrs.from ?? '(sender)')).toEqual(['(sender)']);
    forger.client.destroy();
    reader.client.destroy();
  });

  it("XEP-0160 / XEP-0203: an offline message carries Herald's one true stamp, never the forged one", async () => {
    const forger = await session('forger', 'f2');
    forger.client.send(
      `<message to='sleeper@localhost' id='forged-2' type='chat'><body>later</body>` +
        `<delay xmlns='${NS_DELAY}' from='localhost' stamp='2001-01-01T00:00:00Z'>Offline Storage</delay></message>`,
    );
    expect(await nothingBefore(forger.client, (el) => el.attrs.type === 'error')).toBe(true);
    const sleeper = await session('sleeper', 's', { presence: false });
    sleeper.client.send('<presence/>');
    const got = await nextMessage(sleeper.client, (el) => el.attrs.id === 'forged-2');
    const stamps = delays(got);
    expect(stamps).toHaveLength(1);
    expect(stamps[0]!.attrs.from).toBe('localhost');
    expect(stamps[0]!.attrs.stamp).not.toBe('2001-01-01T00:00:00Z');
    expect(Math.abs(Date.parse(stamps[0]!.attrs.stamp!) - Date.now())).toBeLessThan(60_000);
    forger.client.destroy();
    sleeper.client.destroy();
  });

  it('XEP-0203 §5: presence broadcast to contacts and own resources loses a forged server delay', async () => {
    const one = await session('forger', 'p1');
    const two = await session('forger', 'p2', { presence: false });
    two.client.send(`<presence><status>on</status><delay xmlns='${NS_DELAY}' from='localhost' stamp='2001-01-01T00:00:00Z'/></presence>`);
    const seen = await nextPresence(one.client, two.jid);
    expect(seen.getChildText('status')).toBe('on');
    expect(delays(seen)).toEqual([]);
    one.client.destroy();
    two.client.destroy();
  });
});

describe("an account's own resources (issue 13 item 10)", () => {
  it("RFC 6121 §4.2.2: a newly available resource is sent the presence of the account's other available resources", async () => {
    const first = await session('multi', 'first', { presence: false });
    first.client.send('<presence><show>away</show><status>on the phone</status></presence>');
    await nextPresence(first.client, first.jid);
    const quiet = await session('multi', 'quiet', { presence: false });

    const second = await session('multi', 'second', { presence: false });
    second.client.send('<presence/>');
    const fromFirst = await nextPresence(second.client, first.jid);
    expect(fromFirst.attrs.to).toBe(second.jid);
    expect(fromFirst.getChildText('show')).toBe('away');
    expect(fromFirst.getChildText('status')).toBe('on the phone');
    await nextPresence(first.client, second.jid);
    // A resource that never sent presence is not available, so nobody hears of it.
    expect(await nothingBefore(second.client, (el) => el.name === 'presence' && el.attrs.from === quiet.jid)).toBe(true);

    // §4.5.2: unavailable reaches the other available resources; an unavailable resource then hears nothing ...
    second.client.send("<presence type='unavailable'/>");
    await nextPresence(first.client, second.jid, 'unavailable');
    first.client.send('<presence><status>back</status></presence>');
    await nextPresence(first.client, first.jid);
    expect(await nothingBefore(second.client, (el) => el.name === 'presence' && el.getChildText('status') === 'back')).toBe(true);
    // ... until it becomes available again: that is initial presence again, with the current state.
    second.client.send('<presence/>');
    expect((await nextPresence(second.client, first.jid)).getChildText('status')).toBe('back');
    for (const s of [first, second, quiet]) s.client.destroy();
  });
});

describe('roster groups per item (issue 13 item 7)', () => {
  it('RFC 6121 §2.3.3: a roster set with more than maxGroupsPerItem groups is not-acceptable, with a text', async () => {
    const grouper = await session('grouper', 'g', { presence: false });
    const groups = (n: number) => Array.from({ length: n }, (_, i) => `<group>g${i}</group>`).join('');
    grouper.client.send(`<iq type='set' id='too-many'><query xmlns='jabber:iq:roster'><item jid='x@example.net'>${groups(MAX_GROUPS + 1)}</item></query></iq>`);
    const reply = await grouper.client.next((el) => el.attrs.id === 'too-many');
    expect(reply.attrs.type).toBe('error');
    expect(errorOf(reply)).toEqual({ condition: 'not-acceptable', text: expect.stringContaining(`${MAX_GROUPS} groups`) });
    grouper.client.send(`<iq type='set' id='just-enough'><query xmlns='jabber:iq:roster'><item jid='x@example.net'>${groups(MAX_GROUPS)}</item></query></iq>`);
    expect((await grouper.client.next((el) => el.attrs.id === 'just-enough')).attrs.type).toBe('result');
    grouper.client.destroy();
  });
});
