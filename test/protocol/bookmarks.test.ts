// XEP-0402 §5 compatibility over real sockets: XEP-0048 bookmarks in XEP-0049 private storage and
// XEP-0402 items on the urn:xmpp:bookmarks:1 PEP node are the same rooms, whichever client writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '../../src/xml/element.js';
import { iq, isEventFor, itemIds, NS_PUBSUB, NS_PUBSUB_EVENT, publishXml } from '../harness/pep.js';
import { ALICE, startPepServer, type PepServer, type Session } from '../harness/pep-server.js';

const NS_PRIVATE = 'jabber:iq:private';
const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';
const BOOKMARK_OPTIONS = { 'pubsub#persist_items': 'true', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never', 'pubsub#access_model': 'whitelist' };
let pep: PepServer;
/** A new (XEP-0402) client of alice's, with +notify for bookmarks, and what it was notified of. */
let modern: Session;
const events: Element[] = [];

const legacySet = (conferences: string) => iq(pep.alice.client, 'set', undefined, `<query xmlns='${NS_PRIVATE}'><storage xmlns='storage:bookmarks'>${conferences}</storage></query>`);
async function legacyGet(): Promise<Element[]> {
  const answer = await iq(pep.alice.client, 'get', undefined, `<query xmlns='${NS_PRIVATE}'><storage xmlns='storage:bookmarks'/></query>`);
  return answer.getChild('query', NS_PRIVATE)!.getChild('storage', 'storage:bookmarks')!.getChildren('conference');
}
const modernItems = async () => (await pep.items(pep.alice.client, NS_BOOKMARKS)).getChild('pubsub', NS_PUBSUB)!.getChild('items')!.getChildren('item');
/** Notifications seen so far: 'publish <id>' or 'retract <id>'. */
const seen = () =>
  events.flatMap((m) => m.getChild('event', NS_PUBSUB_EVENT)!.getChild('items')!.getChildElements().map((e) => `${e.name === 'item' ? 'publish' : 'retract'} ${e.attrs.id}`));

beforeAll(async () => {
  pep = await startPepServer({ pep: {}, users: [], contacts: [] });
  modern = await pep.online('alice', 'modern', [NS_BOOKMARKS]);
  modern.client.observe((el) => {
    if (isEventFor(ALICE, NS_BOOKMARKS)(el)) events.push(el);
  });
});

afterAll(async () => {
  modern?.client.destroy();
  await pep?.stop();
});

describe('XEP-0402 §5 compatibility with XEP-0048 in private XML storage', () => {
  it('XEP-0402 §5: the account advertises urn:xmpp:bookmarks:1#compat', async () => {
    const answer = await iq(pep.alice.client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    expect(answer.getChild('query')!.getChildren('feature').map((f) => f.attrs.var)).toContain(`${NS_BOOKMARKS}#compat`);
  });

  it('XEP-0402 §5: rooms an old client stores in private XML become XEP-0402 items, with notifications', async () => {
    const answer = await legacySet(
      "<conference jid='council@conf.localhost' name='Council' autojoin='true'><nick>Puck</nick></conference><conference jid='orchard@conf.localhost' name='Orchard'/><url name='Site' url='https://example.org/'/>",
    );
    expect(answer.attrs.type).toBe('result');
    await modern.client.next((el) => isEventFor(ALICE, NS_BOOKMARKS)(el) && itemIds(el).includes('orchard@conf.localhost'));
    const items = await modernItems();
    expect(items.map((i) => i.attrs.id).sort()).toEqual(['council@conf.localhost', 'orchard@conf.localhost']);
    const council = items.find((i) => i.attrs.id === 'council@conf.localhost')!.getChild('conference', NS_BOOKMARKS)!;
    expect([council.attrs.name, council.attrs.autojoin, council.getChildText('nick')]).toEqual(['Council', 'true', 'Puck']);
  });

  it('XEP-0402 §5: an old client replacing its list updates only the changed rooms and retracts the removed ones', async () => {
    events.length = 0;
    // Council unchanged, orchard removed, a new room added.
    await legacySet("<conference jid='council@conf.localhost' name='Council' autojoin='true'><nick>Puck</nick></conference><conference jid='tavern@conf.localhost' name='Tavern'/>");
    await modern.client.next((el) => isEventFor(ALICE, NS_BOOKMARKS)(el) && el.getChild('event', NS_PUBSUB_EVENT)!.getChild('items')!.getChild('retract')?.attrs.id === 'orchard@conf.localhost');
    // The retraction is sent last, so every notification of this set has arrived.
    expect(seen()).toEqual(['publish tavern@conf.localhost', 'retract orchard@conf.localhost']);
    expect((await modernItems()).map((i) => i.attrs.id).sort()).toEqual(['council@conf.localhost', 'tavern@conf.localhost']);
  });

  it('XEP-0402 §5: rooms a new client publishes and retracts are what an old client reads from private XML', async () => {
    await iq(modern.client, 'set', undefined, publishXml(NS_BOOKMARKS, 'garden@conf.localhost', `<conference xmlns='${NS_BOOKMARKS}' name='Garden' autojoin='true'><nick>Ariel</nick><extensions><x xmlns='urn:example:ext'/></extensions></conference>`, BOOKMARK_OPTIONS));
    await iq(modern.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB}'><retract node='${NS_BOOKMARKS}' notify='true'><item id='tavern@conf.localhost'/></retract></pubsub>`);
    const conferences = await legacyGet();
    expect(conferences.map((c) => c.attrs.jid)).toEqual(['council@conf.localhost', 'garden@conf.localhost']);
    const garden = conferences[1]!;
    expect([garden.attrs.name, garden.attrs.autojoin, garden.getChildText('nick')]).toEqual(['Garden', 'true', 'Ariel']);
  });

  it('XEP-0402 §5: an old client renaming a room keeps the XEP-0402 extensions it cannot see', async () => {
    await legacySet("<conference jid='council@conf.localhost' name='Council' autojoin='true'><nick>Puck</nick></conference><conference jid='garden@conf.localhost' name='Rose garden' autojoin='true'><nick>Ariel</nick></conference>");
    const garden = (await modernItems()).find((i) => i.attrs.id === 'garden@conf.localhost')!.getChild('conference', NS_BOOKMARKS)!;
    expect(garden.attrs.name).toBe('Rose garden');
    expect(garden.getChild('extensions')?.getChild('x', 'urn:example:ext')).toBeDefined();
  });
});

describe('XEP-0402 §5 compatibility with XEP-0048 in PEP (storage:bookmarks node), XEP-0411', () => {
  const legacyPepRooms = async () => {
    const item = (await pep.items(pep.alice.client, 'storage:bookmarks')).getChild('pubsub', NS_PUBSUB)!.getChild('items')!.getChild('item');
    return (item?.getChild('storage', 'storage:bookmarks')?.getChildren('conference') ?? []).map((c) => `${c.attrs.jid} ${c.attrs.name}`);
  };

  it('XEP-0402 §5 / XEP-0411 §2: the account advertises #compat-pep and urn:xmpp:bookmarks-conversion:0', async () => {
    const answer = await iq(pep.alice.client, 'get', ALICE, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    const features = answer.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    expect(features).toEqual(expect.arrayContaining([`${NS_BOOKMARKS}#compat-pep`, 'urn:xmpp:bookmarks-conversion:0']));
  });

  it('XEP-0411 §2: bookmarks an old client stores in private XML appear in the storage:bookmarks PEP node', async () => {
    await legacySet("<conference jid='council@conf.localhost' name='Council' autojoin='true'><nick>Puck</nick></conference><conference jid='garden@conf.localhost' name='Garden'/>");
    expect(await legacyPepRooms()).toEqual(['council@conf.localhost Council', 'garden@conf.localhost Garden']);
  });

  it('XEP-0402 §5: a room a new client publishes reaches the storage:bookmarks PEP node, notified to old PEP clients', async () => {
    const old = await pep.online('alice', 'old-pep', ['storage:bookmarks']);
    await iq(modern.client, 'set', undefined, publishXml(NS_BOOKMARKS, 'cellar@conf.localhost', `<conference xmlns='${NS_BOOKMARKS}' name='Cellar'/>`, BOOKMARK_OPTIONS));
    const event = await old.client.next((el) => isEventFor(ALICE, 'storage:bookmarks')(el) && String(el).includes('cellar@conf.localhost'));
    expect(itemIds(event)).toEqual(['current']);
    expect(await legacyPepRooms()).toContain('cellar@conf.localhost Cellar');
    old.client.destroy();
  });

  it('XEP-0402 §5: a list an old client publishes to the storage:bookmarks PEP node becomes the XEP-0402 items', async () => {
    const storage = "<storage xmlns='storage:bookmarks'><conference jid='council@conf.localhost' name='Council' autojoin='true'><nick>Puck</nick></conference><conference jid='attic@conf.localhost' name='Attic'/></storage>";
    const answer = await iq(pep.alice.client, 'set', undefined, publishXml('storage:bookmarks', 'current', storage, { 'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist' }));
    expect(answer.attrs.type).toBe('result');
    expect((await modernItems()).map((i) => i.attrs.id).sort()).toEqual(['attic@conf.localhost', 'council@conf.localhost']);
    expect((await legacyGet()).map((c) => c.attrs.jid)).toEqual(['council@conf.localhost', 'attic@conf.localhost']);
  });
});
