// XEP-0313 Message Archive Management over real sockets: what is archived (once per account,
// under the stanza-id clients see), queries, paging, preferences, retraction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';
import { NS_MAM, NS_SID, errorCondition, forwardedOf, queryArchive, settled } from '../harness/mam.js';

let server: ServerProcess;
type Login = { client: XmlClient; jid: string };
const sessions: Login[] = [];

async function connect(user: string, resource: string): Promise<Login> {
  const session = await login(server.ports.c2s, user, 'secret-pass', resource);
  session.client.send("<presence/>");
  sessions.push(session);
  return session;
}

async function enableCarbons(client: XmlClient): Promise<void> {
  client.send("<iq type='set' id='carbons-on'><enable xmlns='urn:xmpp:carbons:2'/></iq>");
  expect((await client.next((el) => el.attrs.id === 'carbons-on')).attrs.type).toBe('result');
}

const stanzaId = (message: Element, by: string): string | undefined =>
  message.getChildren('stanza-id', NS_SID).find((el) => el.attrs.by === by)?.attrs.id as string | undefined;

beforeAll(async () => {
  // No modules: key: the archive is on by default.
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack', 'kate', 'liam', 'mike', 'nora']) await server.addUser(`${user}@localhost`, 'secret-pass');
}, 120_000); // fourteen `herald user add` runs take over 30 s on a loaded 2-core machine

afterAll(async () => {
  for (const session of sessions) session.client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0313 §3.5 and §5.1.1: what goes into the archive', () => {
  it('§3.5: the stanza-id the recipient sees is its archive id; the sender archives the message under its own id', async () => {
    const alice = await connect('alice', 'desk');
    const bob = await connect('bob', 'phone');
    alice.client.send("<message to='bob@localhost' type='chat' id='hello-1'><body>hello bob</body></message>");
    const received = await nextMessage(bob.client, (el) => el.attrs.id === 'hello-1');
    await settled(alice.client);
    const seen = stanzaId(received, 'bob@localhost');
    expect(seen).toBeDefined();

    const bobs = await queryArchive(bob.client);
    expect(bobs.ids).toEqual([seen]);
    expect(forwardedOf(bobs.results[0]!)?.attrs).toMatchObject({ from: alice.jid, id: 'hello-1', xmlns: 'jabber:client' });
    expect(bobs.results[0]!.getChild('forwarded', 'urn:xmpp:forward:0')?.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    const alices = await queryArchive(alice.client);
    expect(alices.bodies).toEqual(['hello bob']);
    expect(alices.ids[0]).not.toBe(seen);
    expect(forwardedOf(alices.results[0]!)?.attrs.to).toBe('bob@localhost');
  });

  it('§5.1.1: with carbons and two resources on each side, each account stores each message once', async () => {
    const desk = await connect('carol', 'desk');
    const tablet = await connect('carol', 'tablet');
    const phone = await connect('dave', 'phone');
    const laptop = await connect('dave', 'laptop');
    for (const c of [desk, tablet, phone, laptop]) await enableCarbons(c.client);

    desk.client.send("<message to='dave@localhost' type='chat' id='c1'><body>to both of dave's resources</body></message>");
    await nextMessage(phone.client, (el) => el.attrs.id === 'c1');
    await nextMessage(laptop.client, (el) => el.attrs.id === 'c1');
    desk.client.send(`<message to='${phone.jid}' type='chat' id='c2'><body>to dave's phone</body></message>`);
    await nextMessage(phone.client, (el) => el.attrs.id === 'c2');
    await nextMessage(laptop.client, (el) => el.getChild('received', 'urn:xmpp:carbons:2') !== undefined);
    phone.client.send(`<message to='carol@localhost' type='chat' id='c3'><body>reply from dave</body></message>`);
    await nextMessage(desk.client, (el) => el.attrs.id === 'c3');
    await settled(desk.client);
    await settled(phone.client);

    expect((await queryArchive(laptop.client)).bodies).toEqual(["to both of dave's resources", "to dave's phone", 'reply from dave']);
    expect((await queryArchive(tablet.client)).bodies).toEqual(["to both of dave's resources", "to dave's phone", 'reply from dave']);
  });

  it('§5.1.1: chat states alone, errors, headlines and no-store hints stay out; receipts, markers, encrypted payloads and store hints go in', async () => {
    const erin = await connect('erin', 'one');
    await connect('frank', 'one');
    const to = "to='frank@localhost'";
    erin.client.send(`<message ${to} type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    erin.client.send(`<message ${to} type='headline'><body>news</body></message>`);
    erin.client.send(`<message ${to} type='chat'><body>secret</body><no-store xmlns='urn:xmpp:hints'/></message>`);
    erin.client.send(`<message ${to} type='chat'><body>ephemeral</body><no-permanent-store xmlns='urn:xmpp:hints'/></message>`);
    erin.client.send(`<message ${to} type='chat' id='r'><received xmlns='urn:xmpp:receipts' id='x'/></message>`);
    erin.client.send(`<message ${to} type='chat' id='m'><displayed xmlns='urn:xmpp:chat-markers:0' id='x'/></message>`);
    erin.client.send(`<message ${to} type='chat' id='e'><encrypted xmlns='eu.siacs.conversations.axolotl'><payload>AAAA</payload></encrypted></message>`);
    erin.client.send(`<message ${to} type='chat' id='s'><store xmlns='urn:xmpp:hints'/><x xmlns='urn:example:custom'/></message>`);
    await settled(erin.client);
    const archived = await queryArchive(erin.client);
    expect(archived.results.map((r) => forwardedOf(r)?.attrs.id)).toEqual(['r', 'm', 'e', 's']);
  });
});

describe('XEP-0313 §4: querying', () => {
  const total = 1000;
  let gina: Login;
  let all: string[];

  beforeAll(async () => {
    gina = await connect('gina', 'desk');
    await connect('hank', 'desk');
    for (let n = 0; n < total; n++) {
      const to = n % 10 === 0 ? 'hank@localhost/desk' : 'alice@localhost';
      gina.client.send(`<message to='${to}' type='chat' id='g${n}'><body>${n}</body></message>`);
    }
    await settled(gina.client);
    all = Array.from({ length: total }, (_, n) => String(n));
  });

  it('§4.1.4 (XEP-0059 §2.2): paging forwards with <after/> returns each of 1,000 messages exactly once, in order', async () => {
    const bodies: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await queryArchive(gina.client, { rsm: `<max>100</max>${after ? `<after>${after}</after>` : ''}` });
      bodies.push(...page.bodies);
      pages++;
      expect(page.first).toBe(page.ids[0]);
      expect(page.last).toBe(page.ids.at(-1));
      if (page.complete) break;
      after = page.last;
    }
    expect(bodies).toEqual(all);
    expect(pages).toBe(10);
  });

  it('§4.1.4 (XEP-0059 §2.5): paging backwards from an empty <before/> returns each message once, pages chronological', async () => {
    const pages: string[][] = [];
    let before = '';
    for (;;) {
      const page = await queryArchive(gina.client, { rsm: `<max>300</max><before>${before}</before>` });
      expect(page.iq.attrs.type).toBe('result');
      pages.push(page.bodies);
      if (page.complete) break;
      before = page.first!;
    }
    // 300 asked, 250 is the server's bound (modules.mam.options.maxPageSize).
    expect(pages.map((p) => p.length)).toEqual([250, 250, 250, 250]);
    expect(pages.reverse().flat()).toEqual(all);
  });

  it('§4.1.4: a page that reaches the end is complete; one that stops short of it is not', async () => {
    const head = await queryArchive(gina.client, { rsm: '<max>250</max>' });
    expect(head.complete).toBe(false);
    const upTo = (n: number) => queryArchive(gina.client, { rsm: `<max>250</max><before>${head.ids[n]}</before>` });
    expect((await upTo(5)).bodies).toEqual(['0', '1', '2', '3', '4']);
    expect((await upTo(5)).complete).toBe(true);
    const fromEnd = await queryArchive(gina.client, { rsm: '<max>250</max><before/>' });
    const after = (n: number) => queryArchive(gina.client, { rsm: `<max>250</max><after>${fromEnd.ids[n]}</after>` });
    expect((await after(0)).complete).toBe(true);
    expect((await after(0)).bodies).toEqual(all.slice(751));
  });

  it('§4.1.4: a query without <max/> gets a bounded page (50) and is not complete', async () => {
    const page = await queryArchive(gina.client);
    expect(page.bodies).toEqual(all.slice(0, 50));
    expect(page.complete).toBe(false);
  });

  it('§4.3 (flip-page): the same page, sent newest first; first/last still name the oldest and newest', async () => {
    const straight = await queryArchive(gina.client, { rsm: '<max>5</max><before/>' });
    const flipped = await queryArchive(gina.client, { rsm: '<max>5</max><before/>', flipPage: true });
    expect(straight.bodies).toEqual(['995', '996', '997', '998', '999']);
    expect(flipped.bodies).toEqual(['999', '998', '997', '996', '995']);
    expect([flipped.first, flipped.last]).toEqual([straight.first, straight.last]);
  });

  it('§4.1.1: with a bare JID matches any resource of it; with a full JID only that one', async () => {
    const hank = all.filter((n) => Number(n) % 10 === 0);
    expect((await queryArchive(gina.client, { form: { with: 'hank@localhost' }, rsm: '<max>250</max>' })).bodies).toEqual(hank);
    expect((await queryArchive(gina.client, { form: { with: 'hank@localhost/desk' }, rsm: '<max>250</max>' })).bodies).toEqual(hank);
    expect((await queryArchive(gina.client, { form: { with: 'hank@localhost/other' } })).bodies).toEqual([]);
    const latest = await queryArchive(gina.client, { form: { with: 'hank@localhost' }, rsm: '<max>3</max><before/>' });
    expect(latest.bodies).toEqual(['970', '980', '990']);
  });

  it('§4.1.2: start and end bound the timestamps, inclusively', async () => {
    const everything = await queryArchive(gina.client, { rsm: '<max>1</max><before/>' });
    const stamp = everything.results[0]!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('delay')!.attrs.stamp as string;
    const fromLast = await queryArchive(gina.client, { form: { start: stamp }, rsm: '<max>250</max>' });
    expect(fromLast.bodies.at(-1)).toBe('999');
    expect(fromLast.bodies.every((b) => Number(b) >= 0)).toBe(true);
    expect((await queryArchive(gina.client, { form: { end: '2000-01-01T00:00:00Z' } })).bodies).toEqual([]);
    const bad = await queryArchive(gina.client, { form: { start: 'yesterday' } });
    expect(errorCondition(bad.iq)).toBe('bad-request');
  });

  it('§4.1.3: after-id, before-id and ids select by archive id', async () => {
    const page = await queryArchive(gina.client, { rsm: '<max>10</max>' });
    const ids = page.ids;
    expect((await queryArchive(gina.client, { form: { 'after-id': ids[2]!, 'before-id': ids[6]! } })).bodies).toEqual(['3', '4', '5']);
    expect((await queryArchive(gina.client, { form: { ids: [ids[7]!, ids[1]!] } })).bodies).toEqual(['1', '7']);
  });

  it('§4.1.3 and §4.1.4: an id that is not in the archive gets item-not-found', async () => {
    for (const options of [{ form: { 'after-id': 'nope' } }, { form: { 'before-id': 'nope' } }, { form: { ids: ['nope'] } }, { rsm: '<after>nope</after>' }, { rsm: '<before>nope</before>' }]) {
      expect(errorCondition((await queryArchive(gina.client, options)).iq)).toBe('item-not-found');
    }
  });

  it('§4.1.5: a form field the archive does not know gets feature-not-implemented; the form lists the fields', async () => {
    expect(errorCondition((await queryArchive(gina.client, { form: { mood: 'lonely' } })).iq)).toBe('feature-not-implemented');
    gina.client.send(`<iq type='get' id='form-1'><query xmlns='${NS_MAM}'/></iq>`);
    const form = await gina.client.next((el) => el.attrs.id === 'form-1');
    const fields = form.getChild('query', NS_MAM)?.getChild('x', 'jabber:x:data')?.getChildren('field').map((f) => f.attrs.var);
    expect(fields).toEqual(['FORM_TYPE', 'with', 'start', 'end', 'before-id', 'after-id', 'ids']);
  });

  it('§7: another account\'s archive is forbidden', async () => {
    expect(errorCondition((await queryArchive(gina.client, { to: 'hank@localhost' })).iq)).toBe('forbidden');
  });

  it('§5 (metadata, #extended): first and last message of the archive; empty for an empty archive', async () => {
    gina.client.send(`<iq type='get' id='meta-1'><metadata xmlns='${NS_MAM}'/></iq>`);
    const metadata = (await gina.client.next((el) => el.attrs.id === 'meta-1')).getChild('metadata', NS_MAM)!;
    const first = (await queryArchive(gina.client, { rsm: '<max>1</max>' })).ids[0];
    const last = (await queryArchive(gina.client, { rsm: '<max>1</max><before/>' })).ids[0];
    expect(metadata.getChild('start')?.attrs.id).toBe(first);
    expect(metadata.getChild('end')?.attrs.id).toBe(last);
    expect(metadata.getChild('end')?.attrs.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    const ivy = await connect('ivy', 'new');
    ivy.client.send(`<iq type='get' id='meta-2'><metadata xmlns='${NS_MAM}'/></iq>`);
    const answer = await ivy.client.next((el) => el.attrs.id === 'meta-2');
    expect(answer.attrs.type).toBe('result');
    expect(answer.getChild('metadata', NS_MAM)?.children).toEqual([]);
  });

  it('§8: the account advertises urn:xmpp:mam:2, #extended and urn:xmpp:sid:0 on its bare JID', async () => {
    gina.client.send("<iq type='get' id='disco-1' to='gina@localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    const reply = await gina.client.next((el) => el.attrs.id === 'disco-1');
    const features = reply.getChild('query')?.getChildren('feature').map((f) => f.attrs.var);
    expect(features).toEqual(expect.arrayContaining([NS_MAM, `${NS_MAM}#extended`, NS_SID]));
  });
});

describe('XEP-0441 archiving preferences (XEP-0313 §6)', () => {
  it('a JID set to never is not archived, others still are; the preferences read back', async () => {
    const jack = await connect('jack', 'desk');
    const kate = await connect('kate', 'desk');
    jack.client.send(`<iq type='get' id='p0'><prefs xmlns='${NS_MAM}'/></iq>`);
    expect((await jack.client.next((el) => el.attrs.id === 'p0')).getChild('prefs', NS_MAM)?.attrs.default).toBe('always');
    jack.client.send(`<iq type='set' id='p1'><prefs xmlns='${NS_MAM}' default='always'><always/><never><jid>kate@localhost</jid></never></prefs></iq>`);
    const set = await jack.client.next((el) => el.attrs.id === 'p1');
    expect(set.getChild('prefs', NS_MAM)?.getChild('never')?.getChildText('jid')).toBe('kate@localhost');

    kate.client.send("<message to='jack@localhost' type='chat'><body>not for the archive</body></message>");
    await settled(kate.client);
    jack.client.send("<message to='kate@localhost' type='chat'><body>nor this</body></message>");
    jack.client.send("<message to='alice@localhost' type='chat'><body>but this</body></message>");
    await settled(jack.client);
    expect((await queryArchive(jack.client)).bodies).toEqual(['but this']);
    // Kate's own archive follows Kate's preferences.
    expect((await queryArchive(kate.client)).bodies).toEqual(['not for the archive', 'nor this']);

    jack.client.send(`<iq type='get' id='p2'><prefs xmlns='${NS_MAM}'/></iq>`);
    const prefs = (await jack.client.next((el) => el.attrs.id === 'p2')).getChild('prefs', NS_MAM);
    expect(prefs?.getChild('never')?.getChildText('jid')).toBe('kate@localhost');
  });

  it("default='roster' archives only contacts in the roster; a bad default is bad-request", async () => {
    const liam = await connect('liam', 'desk');
    liam.client.send(`<iq type='set' id='p3'><prefs xmlns='${NS_MAM}' default='sometimes'/></iq>`);
    expect(errorCondition(await liam.client.next((el) => el.attrs.id === 'p3'))).toBe('bad-request');
    liam.client.send(`<iq type='set' id='p4'><prefs xmlns='${NS_MAM}' default='roster'/></iq>`);
    expect((await liam.client.next((el) => el.attrs.id === 'p4')).attrs.type).toBe('result');
    liam.client.send("<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='kate@localhost'/></query></iq>");
    await liam.client.next((el) => el.attrs.id === 'r1');
    liam.client.send("<message to='kate@localhost' type='chat'><body>to a contact</body></message>");
    liam.client.send("<message to='alice@localhost' type='chat'><body>to a stranger</body></message>");
    await settled(liam.client);
    expect((await queryArchive(liam.client)).bodies).toEqual(['to a contact']);
  });
});

describe('XEP-0424 §5: retraction in the archive', () => {
  it('the retraction is archived and the retracted message becomes a tombstone in both archives, in place', async () => {
    const alice = await connect('alice', 'retract');
    const bob = await connect('bob', 'retract');
    alice.client.send("<message to='bob@localhost/retract' type='chat' id='oops-1'><body>wrong window</body></message>");
    alice.client.send("<message to='bob@localhost/retract' type='chat' id='keep-1'><body>this stays</body></message>");
    alice.client.send(
      "<message to='bob@localhost/retract' type='chat' id='retraction-1'><retract id='oops-1' xmlns='urn:xmpp:message-retract:1'/>" +
        "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/><body>retracted a message</body></message>",
    );
    // A retraction by someone else does not touch Alice's message.
    bob.client.send("<message to='alice@localhost' type='chat' id='forged'><retract id='keep-1' xmlns='urn:xmpp:message-retract:1'/></message>");
    await settled(alice.client);
    await settled(bob.client);

    for (const client of [bob.client, alice.client]) {
      const page = await queryArchive(client, { rsm: '<max>250</max><before/>' });
      const forwarded = page.results.map((r) => forwardedOf(r)!);
      const mine = forwarded.filter((m) => ['oops-1', 'keep-1', 'retraction-1'].includes(m.attrs.id as string));
      expect(mine.map((m) => m.attrs.id)).toEqual(['oops-1', 'keep-1', 'retraction-1']);
      const tombstone = mine[0]!;
      expect(tombstone.getChild('body')).toBeUndefined();
      expect(tombstone.getChild('retracted', 'urn:xmpp:message-retract:1')?.attrs.id).toBe('retraction-1');
      expect(mine[1]!.getChildText('body')).toBe('this stays');
    }
  });
});

describe('the archive and the account (herald user archive, herald user del)', () => {
  it('--export writes the archive as JSON lines, oldest first; --purge empties it', async () => {
    const mike = await connect('mike', 'desk');
    mike.client.send("<message to='nora@localhost' type='chat' id='x1'><body>first</body></message>");
    mike.client.send("<message to='nora@localhost' type='chat' id='x2'><body>second &amp; last</body></message>");
    await settled(mike.client);
    const exported = await server.cli(['user', 'archive', 'mike@localhost', '--export']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.map((l) => [l.with, l.direction])).toEqual([['nora@localhost', 'out'], ['nora@localhost', 'out']]);
    expect(lines[1]!.stanza).toContain('second &amp; last');
    expect(lines.map((l) => l.id)).toEqual((await queryArchive(mike.client)).ids);

    const purged = await server.cli(['user', 'archive', 'mike@localhost', '--purge']);
    expect(purged.stdout).toContain('purged 2 archived messages');
    expect((await queryArchive(mike.client)).ids).toEqual([]);
    const neither = await server.cli(['user', 'archive', 'mike@localhost']);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('exactly one of --export or --purge');
  });

  it('deleting an account deletes its archive', async () => {
    const nora = await connect('nora', 'desk');
    expect((await queryArchive(nora.client)).bodies).toEqual(['first', 'second & last']);
    nora.client.destroy();
    expect((await server.cli(['user', 'del', 'nora@localhost', '--yes'])).code).toBe(0);
    await server.addUser('nora@localhost', 'secret-pass');
    const again = await connect('nora', 'again');
    expect((await queryArchive(again.client)).ids).toEqual([]);
  });
});
