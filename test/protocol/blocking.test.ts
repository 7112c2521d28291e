// XEP-0191 blocking (and XEP-0377 reports) over real sockets against a real server with SQLite:
// the commands and their pushes, what a block does to traffic both ways, presence on block and
// unblock, the offline store and the archive, the list limit, and `herald reports`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { letSeePresence, nextMessage, nextPresence, nothingBefore } from '../harness/im.js';
import { errorOf } from '../harness/federation.js';
import { queryArchive, settled } from '../harness/mam.js';
import { NS_BLOCKING, NS_BLOCKING_ERRORS, NS_REPORTING, block, blocklist, nextBlockingPush, unblock } from '../harness/blocking.js';
import { announceCaps } from '../harness/caps.js';
import { iq, isEventFor, itemIds, publishXml } from '../harness/pep.js';
import type { XmlClient } from '../harness/xml-client.js';

const open: XmlClient[] = [];
let server: ServerProcess;

const USERS = ['alice', 'mallory', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'ken', 'leo', 'max', 'nina', 'olga', 'pat', 'quinn'];

async function online(user: string, resource = 'r', available = true) {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  open.push(session.client);
  if (available) {
    session.client.send('<presence/>');
    await nextPresence(session.client, session.jid);
  }
  return session;
}

async function offline(session: { client: XmlClient; jid: string }): Promise<void> {
  session.client.destroy();
  await server.waitForLog((l) => l.msg === 'session closed' && l.jid === session.jid);
}

const isError = (el: Element, id: string) => el.attrs.type === 'error' && el.attrs.id === id;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: 'modules:\n  mam: {}\n  blocking:\n    options:\n      maxItems: 5' });
  for (const user of USERS) await server.addUser(`${user}@localhost`, 'pw');
}, 120_000);

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0191 commands', () => {
  it('§3.1: the server and the account advertise urn:xmpp:blocking and urn:xmpp:reporting:1', async () => {
    const { client, jid } = await online('alice', 'disco', false);
    for (const to of ['localhost', jid.split('/')[0]]) {
      client.send(`<iq type='get' id='disco-${to}' to='${to}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
      const answer = await client.next((el) => el.attrs.id === `disco-${to}`);
      const features = answer.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
      expect(features).toEqual(expect.arrayContaining([NS_BLOCKING, NS_REPORTING]));
    }
    client.destroy();
  });

  it('§3.2–§3.5: block, unblock and unblock-all are pushed to every resource that asked for the list, and only to those', async () => {
    const phone = await online('bob', 'phone', false);
    const laptop = await online('bob', 'laptop', false);
    const quiet = await online('bob', 'quiet', false);
    expect(await blocklist(phone.client)).toEqual([]);
    expect(await blocklist(laptop.client)).toEqual([]);

    const result = await block(phone.client, 'spammer@evil.example', 'evil.example/bot', 'other.example');
    expect(result.attrs.type).toBe('result');
    for (const resource of [phone, laptop]) {
      expect(await nextBlockingPush(resource.client, 'block')).toEqual(['spammer@evil.example', 'evil.example/bot', 'other.example']);
    }
    expect(await blocklist(laptop.client)).toEqual(['evil.example/bot', 'other.example', 'spammer@evil.example']);

    expect((await unblock(laptop.client, 'other.example')).attrs.type).toBe('result');
    for (const resource of [phone, laptop]) expect(await nextBlockingPush(resource.client, 'unblock')).toEqual(['other.example']);
    expect(await blocklist(phone.client)).toEqual(['evil.example/bot', 'spammer@evil.example']);

    expect((await unblock(phone.client)).attrs.type).toBe('result');
    for (const resource of [phone, laptop]) expect(await nextBlockingPush(resource.client, 'unblock')).toEqual([]);
    expect(await blocklist(phone.client)).toEqual([]);

    // The resource that never asked for the list got no push.
    expect(await nothingBefore(quiet.client, (el) => el.name === 'iq' && el.attrs.type === 'set')).toBe(true);
    for (const s of [phone, laptop, quiet]) s.client.destroy();
  });

  it('§3.3: a block without items is bad-request, an invalid JID jid-malformed, and another account\'s list is forbidden', async () => {
    const { client } = await online('carol', 'r', false);
    expect(errorOf(await block(client)).condition).toBe('bad-request');
    expect(errorOf(await block(client, "<item jid='a@b@c'/>")).condition).toBe('jid-malformed');
    client.send(`<iq type='get' id='other' to='alice@localhost'><blocklist xmlns='${NS_BLOCKING}'/></iq>`);
    expect(errorOf(await client.next((el) => el.attrs.id === 'other')).condition).toBe('forbidden');
    expect(await blocklist(client)).toEqual([]);
    client.destroy();
  });

  it('the list holds at most modules.blocking.options.maxItems JIDs: policy-violation, nothing blocked', async () => {
    const { client } = await online('dave', 'r', false);
    expect((await block(client, 'a@x.example', 'b@x.example', 'c@x.example')).attrs.type).toBe('result');
    const refused = await block(client, 'd@x.example', 'e@x.example', 'f@x.example');
    expect(errorOf(refused)).toEqual({ condition: 'policy-violation', text: expect.stringContaining('at most 5 JIDs') });
    expect(await blocklist(client)).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
    client.destroy();
  });
});

describe('XEP-0191 §3.3: stanzas from a blocked entity', () => {
  it('a message gets service-unavailable and is not delivered, stored offline or archived', async () => {
    const erin = await online('erin');
    const mallory = await online('mallory', 'm1');
    expect((await block(erin.client, 'mallory@localhost')).attrs.type).toBe('result');

    mallory.client.send(`<message to='erin@localhost' id='spam-1' type='chat'><body>buy now</body></message>`);
    const bounced = await mallory.client.next((el) => isError(el, 'spam-1'));
    expect(errorOf(bounced).condition).toBe('service-unavailable');
    expect(await nothingBefore(erin.client, (el) => el.name === 'message')).toBe(true);

    // A control message from someone else is delivered and archived, so the archive works.
    const frank = await online('frank');
    frank.client.send(`<message to='erin@localhost' id='hello-1' type='chat'><body>hello</body></message>`);
    await nextMessage(erin.client, (el) => el.attrs.id === 'hello-1');

    // Offline: the message is refused, not stored.
    await offline(erin);
    mallory.client.send(`<message to='erin@localhost' id='spam-2' type='chat'><body>still buying?</body></message>`);
    expect(errorOf(await mallory.client.next((el) => isError(el, 'spam-2'))).condition).toBe('service-unavailable');
    expect((await server.cli(['user', 'stats', 'erin@localhost'])).stdout.trim()).toBe('erin@localhost: 0 offline messages');

    const again = await online('erin', 'back');
    await settled(again.client);
    const archive = await queryArchive(again.client);
    expect(archive.bodies).toEqual(['hello']);
    for (const s of [again, mallory, frank]) s.client.destroy();
  });

  it('an IQ get gets service-unavailable, presence is dropped; a full-JID entry blocks only that resource', async () => {
    const grace = await online('grace');
    const evil = await online('mallory', 'evil');
    const good = await online('mallory', 'good');
    expect((await block(grace.client, 'mallory@localhost/evil')).attrs.type).toBe('result');

    evil.client.send(`<iq type='get' id='v1' to='${grace.jid}'><query xmlns='jabber:iq:version'/></iq>`);
    expect(errorOf(await evil.client.next((el) => isError(el, 'v1'))).condition).toBe('service-unavailable');
    evil.client.send(`<presence to='${grace.jid}'/>`);
    evil.client.send(`<message to='grace@localhost' id='evil-1' type='chat'><body>x</body></message>`);
    expect(errorOf(await evil.client.next((el) => isError(el, 'evil-1'))).condition).toBe('service-unavailable');

    good.client.send(`<message to='grace@localhost' id='good-1' type='chat'><body>hi</body></message>`);
    await nextMessage(grace.client, (el) => el.attrs.id === 'good-1');
    expect(grace.client.inbox.some((el) => el.attrs.from === evil.jid)).toBe(false);
    for (const s of [grace, evil, good]) s.client.destroy();
  });

  it('a message stored offline before its sender was blocked is not delivered afterwards', async () => {
    const heidi = await online('heidi');
    await offline(heidi);
    const mallory = await online('mallory', 'early');
    const ivan = await online('ivan');
    mallory.client.send(`<message to='heidi@localhost' id='early-1' type='chat'><body>before the block</body></message>`);
    ivan.client.send(`<message to='heidi@localhost' id='ivan-1' type='chat'><body>from ivan</body></message>`);
    await settled(mallory.client);
    await settled(ivan.client);
    expect((await server.cli(['user', 'stats', 'heidi@localhost'])).stdout.trim()).toBe('heidi@localhost: 2 offline messages');

    // Blocked from a resource that does not send presence, so nothing is flushed to it.
    const setup = await online('heidi', 'setup', false);
    expect((await block(setup.client, 'mallory@localhost')).attrs.type).toBe('result');
    setup.client.destroy();

    const back = await online('heidi', 'back');
    await nextMessage(back.client, (el) => el.attrs.id === 'ivan-1');
    expect(await nothingBefore(back.client, (el) => el.attrs.id === 'early-1')).toBe(true);
    await server.waitForLog((l) => l.msg === 'session closed' && l.jid === setup.jid);
    for (const s of [back, mallory, ivan]) s.client.destroy();
  });
});

describe('XEP-0191 §3.3: stanzas to a blocked entity', () => {
  it('a message and an IQ from the account get not-acceptable with <blocked/>, and never arrive', async () => {
    const judy = await online('judy');
    const mallory = await online('mallory', 'target');
    expect((await block(judy.client, 'mallory@localhost')).attrs.type).toBe('result');

    judy.client.send(`<message to='mallory@localhost' id='out-1' type='chat'><body>go away</body></message>`);
    const error = await judy.client.next((el) => isError(el, 'out-1'));
    expect(errorOf(error).condition).toBe('not-acceptable');
    expect(error.getChild('error')!.attrs.type).toBe('cancel');
    expect(error.getChild('error')!.getChild('blocked', NS_BLOCKING_ERRORS)).toBeDefined();
    expect(error.attrs.from).toBe('mallory@localhost');

    judy.client.send(`<iq type='get' id='out-2' to='${mallory.jid}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    expect(errorOf(await judy.client.next((el) => isError(el, 'out-2'))).condition).toBe('not-acceptable');
    expect(await nothingBefore(mallory.client, (el) => el.attrs.from?.startsWith('judy@') === true && el.name !== 'presence')).toBe(true);
    judy.client.destroy();
    mallory.client.destroy();
  });

  it('§3.3/§3.4: a blocked subscriber is told unavailable, gets no broadcasts, and gets current presence back on unblock', async () => {
    await letSeePresence(server.ports.c2s, 'ken', 'leo', 'pw');
    await letSeePresence(server.ports.c2s, 'ken', 'max', 'pw');
    const leo = await online('leo');
    const max = await online('max');
    const ken = await online('ken');
    await nextPresence(leo.client, ken.jid);
    await nextPresence(max.client, ken.jid);

    expect((await block(ken.client, 'leo@localhost')).attrs.type).toBe('result');
    await nextPresence(leo.client, ken.jid, 'unavailable');

    // Broadcast presence reaches max but not leo.
    ken.client.send('<presence><show>away</show></presence>');
    const seen = await nextPresence(max.client, ken.jid);
    expect(seen.getChildText('show')).toBe('away');
    expect(await nothingBefore(leo.client, (el) => el.name === 'presence' && el.attrs.from === ken.jid)).toBe(true);

    // Unblocked: leo gets ken's current presence.
    expect((await unblock(ken.client, 'leo@localhost')).attrs.type).toBe('result');
    const current = await nextPresence(leo.client, ken.jid);
    expect(current.getChildText('show')).toBe('away');
    for (const s of [ken, leo, max]) s.client.destroy();
  });

  it('PEP notifications the server sends for the account do not reach a blocked contact', async () => {
    const NODE = 'urn:example:blocktest';
    await letSeePresence(server.ports.c2s, 'olga', 'pat', 'pw');
    await letSeePresence(server.ports.c2s, 'olga', 'quinn', 'pw');
    const viewers = [];
    for (const user of ['pat', 'quinn']) {
      const viewer = await online(user, 'r', false);
      // A name per client: a caps hash the server already verified is not asked about again.
      await announceCaps(viewer.client, [{ category: 'client', type: 'pc', name: `blocking-test-${user}` }], ['http://jabber.org/protocol/disco#info', `${NODE}+notify`]);
      await nextPresence(viewer.client, viewer.jid);
      viewers.push(viewer);
    }
    const [pat, quinn] = viewers as [Awaited<ReturnType<typeof online>>, Awaited<ReturnType<typeof online>>];
    const olga = await online('olga');
    expect((await block(olga.client, 'pat@localhost')).attrs.type).toBe('result');

    expect((await iq(olga.client, 'set', undefined, publishXml(NODE, 'one', `<x xmlns='${NODE}'>1</x>`))).attrs.type).toBe('result');
    expect(itemIds(await quinn.client.next(isEventFor('olga@localhost', NODE)))).toEqual(['one']);

    // Unblocked, the next notification reaches pat; the one before it never did (same sender, in order).
    expect((await unblock(olga.client, 'pat@localhost')).attrs.type).toBe('result');
    expect((await iq(olga.client, 'set', undefined, publishXml(NODE, 'two', `<x xmlns='${NODE}'>2</x>`))).attrs.type).toBe('result');
    const got = await pat.client.next(isEventFor('olga@localhost', NODE));
    expect(itemIds(got)).toEqual(['two']);
    expect(pat.client.inbox.some(isEventFor('olga@localhost', NODE))).toBe(false);
    for (const s of [olga, pat, quinn]) s.client.destroy();
  });
});

describe('XEP-0377 reports', () => {
  it('a report in a block item is stored with reason, text and stanza-ids, listed and cleared by herald reports', async () => {
    const { client } = await online('nina', 'r', false);
    const report = `<item jid='spam@evil.example'><report xmlns='${NS_REPORTING}' reason='urn:xmpp:reporting:spam'>` +
      `<stanza-id xmlns='urn:xmpp:sid:0' by='spam@evil.example' id='sid-1'/><text xml:lang='en'>Sells watches</text></report></item>`;
    expect((await block(client, report, 'plain@evil.example')).attrs.type).toBe('result');
    expect(await blocklist(client)).toEqual(['plain@evil.example', 'spam@evil.example']);

    const listed = await server.cli(['reports', '--json']);
    expect(listed.code).toBe(0);
    const reports = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(reports).toEqual([
      expect.objectContaining({ reporter: 'nina@localhost', reported: 'spam@evil.example', reason: 'urn:xmpp:reporting:spam', text: 'Sells watches', stanzaIds: ['sid-1'] }),
    ]);
    const text = await server.cli(['reports', '--domain', 'localhost']);
    expect(text.stdout).toContain('nina@localhost reported spam@evil.example');
    expect(text.stdout).toContain('Sells watches');
    const unserved = await server.cli(['reports', '--domain', 'elsewhere.example']);
    expect(unserved.code).toBe(1);
    expect(unserved.stderr).toContain("domain 'elsewhere.example' is not served");

    const cleared = await server.cli(['reports', '--clear', '--yes']);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toContain('deleted 1 report');
    expect(JSON.parse((await server.cli(['reports', '--json'])).stdout)).toEqual([]);
    client.destroy();
  });
});
